// Content as the client shows it: titles for content refs, stream URLs, and the catalogue
// the picker and the TV guide list — from the hub's content routes when it has them, else
// from what the home itself knows (its apps, what is playing).

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::1', '[::1]'])

export function splitRef(ref) {
  const at = (ref || '').indexOf(':')
  return at < 0 ? ['', ref || ''] : [ref.slice(0, at), ref.slice(at + 1)]
}

function pretty(id) {
  const base = id.replace(/\.demo$/, '').replace(/\.[a-z]{2}$/, '')
  return base
    .split(/[-_.\s]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ')
}

const pick = (o, ...keys) => {
  for (const k of keys) if (o && o[k] !== undefined && o[k] !== null && o[k] !== '') return o[k]
  return undefined
}

export function normalizeChannel(c) {
  if (!c) return null
  const inner = c.channel && typeof c.channel === 'object' ? c.channel : c
  let id = pick(inner, 'id', 'channel_id', 'tvg_id')
  const ref = pick(inner, 'ref')
  if (!id && ref) id = splitRef(ref)[1]
  if (!id) return null
  return {
    ref: `channel:${id}`,
    id,
    name: pick(inner, 'name', 'title', 'tvg_name') || pretty(id),
    number: pick(inner, 'number', 'chno'),
    group: pick(inner, 'group', 'group_title'),
    logo: pick(inner, 'logo'),
    url: pick(inner, 'url', 'stream_url'),
  }
}

export function normalizeProgramme(p) {
  if (!p || typeof p !== 'object') return null
  return {
    ref: pick(p, 'ref') || (p.id ? `programme:${p.id}` : null),
    title: pick(p, 'title', 'name') || 'Untitled',
    start: pick(p, 'start', 'start_utc', 'starts_at'),
    stop: pick(p, 'stop', 'stop_utc', 'end', 'ends_at'),
    category: Array.isArray(p.categories) ? p.categories[0] : pick(p, 'category'),
    rating: pick(p, 'rating'),
    description: pick(p, 'description', 'desc'),
  }
}

/** A guide row {channel, now, next} from whatever shape the guide route uses. */
export function normalizeGuideRow(row) {
  const channel = normalizeChannel(row.channel && typeof row.channel === 'object' ? row.channel : row)
  if (!channel) return null
  const now = normalizeProgramme(row.now || row.programme || row.current || (row.title && row.start ? row : null))
  const next = normalizeProgramme(row.next)
  return { channel, now, next }
}

export function normalizeVod(v) {
  if (!v) return null
  let id = pick(v, 'id', 'vod_id')
  const ref = pick(v, 'ref', 'content')
  if (!id && ref) id = splitRef(ref)[1]
  if (!id) return null
  return {
    ref: `vod:${id}`,
    id,
    title: pick(v, 'title', 'name') || pretty(id),
    kind: pick(v, 'kind'),
    year: pick(v, 'year'),
    duration: pick(v, 'duration_s', 'duration'),
    rating: pick(v, 'rating'),
    description: pick(v, 'description'),
  }
}

export function normalizeContinue(c) {
  if (!c) return null
  const ref = pick(c, 'content', 'ref') || (c.id ? `vod:${c.id}` : null)
  if (!ref) return null
  return {
    ref,
    title: pick(c, 'title', 'name') || pretty(splitRef(ref)[1]),
    position: Number(pick(c, 'position_s', 'position') || 0),
    duration: Number(pick(c, 'duration_s', 'duration') || 0),
  }
}

/** The home's catalogue as far as this hub tells: channels, guide, VOD, apps, continue watching. */
export class Catalog {
  constructor(hub) {
    this.hub = hub
    this.channels = []
    this.guide = []
    this.vod = []
    this.apps = []
    this.continueWatching = []
    this.byRef = new Map()
    this.sources = {} // which lists came from the hub's content routes
    this.loaded = null
  }

  load(homeModel) {
    this.loaded ??= this._load(homeModel)
    return this.loaded
  }

  async refresh(homeModel) {
    this.loaded = this._load(homeModel)
    return this.loaded
  }

  async _load(homeModel) {
    const hub = this.hub
    const safe = (p) => p.catch((e) => (console.warn('twinspace: content', e.message), null))
    const [channels, guide, vod, cont] = await Promise.all([
      safe(hub.content('channels')),
      safe(hub.content('guide/now')),
      safe(hub.content('vod')),
      safe(hub.content('continue-watching')),
    ])
    this.sources = { channels: !!channels, guide: !!guide, vod: !!vod, continue: !!cont }
    // `channels` rows may carry now/next themselves: then they are the better guide
    const channelRows = (channels || []).map(normalizeGuideRow).filter(Boolean)
    const guideRows = (guide || []).map(normalizeGuideRow).filter(Boolean)
    this.guide = channelRows.some((r) => r.now || r.next) ? channelRows : guideRows
    this.channels = channelRows.length ? channelRows.map((r) => r.channel) : guideRows.map((r) => r.channel)
    this.vod = (vod || []).map(normalizeVod).filter(Boolean)
    this.continueWatching = (cont || []).map(normalizeContinue).filter(Boolean)
    const apps = homeModel?.content?.apps || []
    this.apps = apps.map((a) => ({ ref: `app:${a.id}`, id: a.id, title: a.name || pretty(a.id) }))
    this.byRef.clear()
    for (const c of this.channels) this.byRef.set(c.ref, { title: c.name, kind: 'channel', item: c })
    for (const g of this.guide) {
      if (!this.byRef.has(g.channel.ref)) this.byRef.set(g.channel.ref, { title: g.channel.name, kind: 'channel', item: g.channel })
    }
    for (const v of this.vod) this.byRef.set(v.ref, { title: v.title, kind: 'vod', item: v })
    for (const a of this.apps) this.byRef.set(a.ref, { title: a.title, kind: 'app', item: a })
    return this
  }

  /** Search the hub when it can, else filter what is loaded. */
  async search(query) {
    const q = query.trim()
    if (!q) return null
    const hits = await this.hub.content('search', `?q=${encodeURIComponent(q)}`).catch(() => null)
    if (hits) {
      return hits
        .map((h) => {
          const ref = h.ref || (h.kind && h.id ? `${h.kind}:${h.id}` : null)
          return ref ? { ref, title: h.title || h.name || this.title(ref), subtitle: h.subtitle || h.kind || splitRef(ref)[0] } : null
        })
        .filter(Boolean)
    }
    const needle = q.toLowerCase()
    return [...this.byRef.entries()]
      .filter(([ref, v]) => v.title.toLowerCase().includes(needle) || ref.includes(needle))
      .map(([ref, v]) => ({ ref, title: v.title, subtitle: v.kind }))
  }

  title(ref) {
    if (!ref) return 'Nothing'
    const known = this.byRef.get(ref)
    if (known) return known.title
    const [kind, id] = splitRef(ref)
    if (kind === 'programme') {
      const channel = this.byRef.get(`channel:${id.split('/')[0]}`)
      const row = this.guide.find((g) => g.now?.ref === ref || g.next?.ref === ref)
      if (row) return (row.now?.ref === ref ? row.now : row.next).title
      return channel ? channel.title : pretty(id.split('/')[0])
    }
    return pretty(id || ref)
  }

  kind(ref) {
    return splitRef(ref)[0]
  }

  /** What is on a channel now, if the guide says. */
  nowOn(ref) {
    const [kind, id] = splitRef(ref)
    const channelRef = kind === 'programme' ? `channel:${id.split('/')[0]}` : ref
    return this.guide.find((g) => g.channel.ref === channelRef)?.now || null
  }

  /** The HLS URL that plays a content ref here, or null (apps). */
  streamUrl(ref, token) {
    const url = this._streamPath(ref, token)
    return url && this.hub.routes ? this.hub.routes.media(url) : url
  }

  _streamPath(ref, token) {
    const [kind, id] = splitRef(ref)
    if (kind === 'channel' || kind === 'programme') {
      const channelId = kind === 'programme' ? id.split('/')[0] : id
      const url = this.byRef.get(`channel:${channelId}`)?.item?.url
      // The hub hands out signed links for its demo channels; without one, the device token.
      return url ? sameHubUrl(url) : `/demo/live/${encodeURIComponent(channelId)}/index.m3u8?token=${encodeURIComponent(token)}`
    }
    if (kind === 'vod') return `/media/vod/${encodeURIComponent(id)}/index.m3u8?token=${encodeURIComponent(token)}`
    return null
  }
}

/** A lineup URL written for this hub (127.0.0.1:8080 …) played from the page's own origin. */
export function sameHubUrl(url) {
  try {
    const u = new URL(url, location.href)
    if (LOCAL_HOSTS.has(u.hostname) || u.pathname.startsWith('/demo/live/')) return u.pathname + u.search
    return u.href
  } catch {
    return url
  }
}

export function formatClock(value) {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
}

export function progressOf(programme, now = Date.now()) {
  if (!programme?.start || !programme?.stop) return null
  const a = new Date(programme.start).getTime()
  const b = new Date(programme.stop).getTime()
  if (!(b > a)) return null
  return Math.min(1, Math.max(0, (now - a) / (b - a)))
}
