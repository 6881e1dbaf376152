// Notifications: what changed in the home (the hub's journal, read again whenever the live
// document's version moves) and the edits it refused (the document's log), as short sentences.

import { Emitter } from '../sync.js'

function surfaceLabel(id) {
  if (!id) return 'floating'
  const tail = id.split('/').pop()
  const wall = tail.match(/^wall-(north|south|east|west)$/)
  return wall ? `the ${wall[1]} wall` : `the ${tail.replace(/-/g, ' ')}`
}

export class Notifications extends Emitter {
  constructor(app) {
    super()
    this.app = app
    this.items = []
    this.lastSeq = null
    this.version = null
    this.journal = true // the hub's journal answers; else changes are told from the document
    this.panels = null
    app.live.on('log', (entries) => {
      for (const e of entries) {
        if (e.type === 'rejected') this.add(this.describe(e), 'error', e.at)
        else if (!this.journal) this.add(this.describe(e), 'info', e.at)
      }
    })
    app.live.on('change', (s) => {
      if (s.home?.version !== this.version) {
        this.version = s.home?.version
        this.poll()
      }
      if (!this.journal) this.diff(s)
    })
    this.version = app.live.snapshot.home?.version ?? null
    this.poll()
  }

  name(person) {
    return person ? this.app.snapshotName(person) : 'Someone'
  }

  describe(entry) {
    if (entry.type === 'rejected') return `${this.name(entry.person)}'s change was refused: ${entry.reason}`
    if (entry.type === 'opened') {
      const panel = this.app.live.snapshot.panels?.[entry.panel]
      return `${this.name(entry.person)} opened ${panel ? this.app.catalog.title(panel.content) : `panel ${entry.panel}`}`
    }
    return `${entry.type} ${entry.path || ''}`.trim()
  }

  async poll() {
    if (!this.journal) return
    if (this.polling) {
      this.again = true
      return
    }
    this.polling = true
    try {
      const first = this.lastSeq === null
      const entries = await this.app.hub.get(`/api/v1/homes/${encodeURIComponent(this.app.hub.home)}/journal?limit=${first ? 6 : 30}`)
      const fresh = entries.filter((e) => first || e.seq > this.lastSeq).sort((a, b) => a.seq - b.seq)
      for (const e of fresh) {
        const text = `${this.name(e.person)}: ${e.message}${e.undone ? ' (undone)' : ''}`
        this.add(text, e.action?.startsWith('panel.open') ? 'ok' : 'info', e.at)
      }
      this.lastSeq = Math.max(this.lastSeq ?? 0, ...entries.map((e) => e.seq))
    } catch (e) {
      console.warn('twinspace: the journal is not readable; notifications come from the document', e.message)
      this.journal = false
      this.diff(this.app.live.snapshot)
    } finally {
      this.polling = false
      if (this.again) {
        this.again = false
        this.poll()
      }
    }
  }

  /** Without the journal: panels that appeared, moved or went, from the document itself. */
  diff(s) {
    const now = s.panels || {}
    if (this.panels === null) {
      if (this.app.live.synced) this.panels = { ...now }
      return
    }
    const title = (ref) => this.app.catalog.title(ref)
    for (const [id, p] of Object.entries(now)) {
      const before = this.panels[id]
      if (!before) this.add(`${title(p.content)} opened on ${surfaceLabel(p.surface)}${p.owner ? ` by ${this.name(p.owner)}` : ''}`, 'ok')
      else if (before.surface !== p.surface) this.add(`${title(p.content)} moved to ${surfaceLabel(p.surface)}`, 'info')
    }
    for (const [id, p] of Object.entries(this.panels)) if (!now[id]) this.add(`${title(p.content)} closed`, 'info')
    this.panels = { ...now }
  }

  add(text, kind = 'info', at = null) {
    const item = { text, kind, at: at || new Date().toISOString() }
    this.items.unshift(item)
    this.items.length = Math.min(this.items.length, 30)
    this.emit('add', item)
  }
}
