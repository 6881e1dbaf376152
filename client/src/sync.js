// The home's live Yjs document (docs/sync.md): connect, read it as plain snapshots, write
// requests into it, and share this device's presence.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { hostedRoutes } from './twin-routes.js'

const ROOTS = ['home', 'rooms', 'devices', 'panels', 'playback', 'people', 'xr_devices', 'seats']

export class Emitter {
  constructor() {
    this.handlers = new Map()
  }
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set())
    this.handlers.get(type).add(fn)
    return () => this.handlers.get(type)?.delete(fn)
  }
  emit(type, ...args) {
    for (const fn of this.handlers.get(type) || []) {
      try {
        fn(...args)
      } catch (e) {
        console.error(e)
      }
    }
  }
}

/**
 * Events: `change` (snapshot), `presence` (others), `status` ('connecting'|'connected'|'offline'),
 * `log` (new entries), `rejected` (this client's refused edits), `unpaired` (close code).
 */
export class LiveHome extends Emitter {
  /** `routes`: the twin's URLs (twin-routes.js), the device's home unless a space. */
  constructor(device, { kind = 'browser', routes = hostedRoutes(device.home) } = {}) {
    super()
    this.device = device
    this.routes = routes
    this.room = routes.twin
    this.doc = new Y.Doc()
    this.status = 'connecting'
    this.synced = false
    this.snapshot = emptySnapshot()
    this.others = []
    this.logPrimed = false
    this.lastLogAt = ''
    this.provider = new WebsocketProvider(routes.syncServer, routes.twin, this.doc, {
      params: { token: device.token },
      disableBc: true, // every tab is its own connection: the hub sees (and stamps) each edit
    })
    this.awareness = this.provider.awareness
    this.awareness.setLocalState({ kind, name: device.name || null })
    this.provider.on('status', ({ status }) => {
      this.status = status === 'connected' ? 'connected' : status === 'connecting' ? 'connecting' : 'offline'
      this.emit('status', this.status)
    })
    this.provider.on('sync', (synced) => {
      this.synced = synced
      if (synced) this._refresh()
      this.emit('status', this.status)
    })
    this.provider.on('closed', ({ code }) => {
      // 4401: token unknown or revoked; 4404: its home is gone; 4403: another home's token
      this.status = 'offline'
      this.emit('status', this.status)
      this.emit('unpaired', code)
    })
    let queued = false
    this.doc.on('update', () => {
      if (queued) return
      queued = true
      queueMicrotask(() => {
        queued = false
        this._refresh()
      })
    })
    this.awareness.on('change', () => this._presence())
  }

  get connected() {
    return this.status === 'connected' && this.synced
  }

  get clientId() {
    return this.doc.clientID
  }

  _refresh() {
    const s = {}
    for (const name of ROOTS) s[name] = this.doc.getMap(name).toJSON()
    s.log = this.doc.getArray('log').toJSON()
    this.snapshot = s
    // Entries already in the log when this device connected are history, not news.
    const last = s.log.length ? s.log[s.log.length - 1].at || '' : ''
    if (!this.logPrimed) {
      if (this.synced) {
        this.logPrimed = true
        this.lastLogAt = last
      }
    } else if (last > this.lastLogAt) {
      const newer = s.log.filter((e) => (e.at || '') > this.lastLogAt)
      this.lastLogAt = last
      this.emit('log', newer)
      const mine = newer.filter((e) => e.type === 'rejected' && e.client === this.doc.clientID)
      if (mine.length) this.emit('rejected', mine)
    }
    this.emit('change', s)
  }

  _presence() {
    const others = []
    for (const [client, state] of this.awareness.getStates()) {
      if (client === this.doc.clientID || !state) continue
      others.push({ client, ...state })
    }
    this.others = others
    this.emit('presence', others)
  }

  /** Merge fields into this device's awareness state (head pose, dragging …). */
  setPresence(fields) {
    const current = this.awareness.getLocalState() || {}
    this.awareness.setLocalState({ ...current, ...fields })
  }

  /** Request a panel pose: written when a drag ends; the hub validates and snaps it. */
  movePanel(id, pose, surface) {
    const panel = this.doc.getMap('panels').get(id)
    if (!(panel instanceof Y.Map)) return false
    this.doc.transact(() => {
      panel.set('pose', pose)
      if (surface !== undefined && surface !== panel.get('surface')) panel.set('surface', surface)
    })
    return true
  }

  /** Switch a device (light) on or off, or set its brightness, through the document. */
  setDeviceState(id, changes) {
    const device = this.doc.getMap('devices').get(id)
    if (!(device instanceof Y.Map)) return false
    device.set('state', { ...(device.get('state') || {}), ...changes })
    return true
  }

  destroy() {
    this.provider.destroy()
    this.doc.destroy()
  }
}

function emptySnapshot() {
  const s = {}
  for (const name of ROOTS) s[name] = {}
  s.log = []
  return s
}

/** The viewer pose the hub understands: {position, yaw_deg} from a head in any shape. */
export function headPose(head) {
  if (!head || !Array.isArray(head.position)) return null
  if (typeof head.yaw_deg === 'number') return { position: head.position, yaw_deg: head.yaw_deg }
  if (Array.isArray(head.rotation)) {
    const [x, y, z, w] = head.rotation
    // forward (-Z) rotated by q, projected on the floor
    const fx = -(2 * (x * z + w * y))
    const fz = -(1 - 2 * (x * x + y * y))
    return { position: head.position, yaw_deg: (Math.atan2(-fx, -fz) * 180) / Math.PI }
  }
  return { position: head.position, yaw_deg: 0 }
}
