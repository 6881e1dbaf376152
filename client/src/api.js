// The hub's HTTP API: pairing, the home, actions, undo, content and the assistant.
// Errors are RFC 9457 problem details; `ApiError.message` is the hub's sentence for people.

const STORAGE_KEY = 'twinspace.device'

export class ApiError extends Error {
  constructor(status, detail, title = '') {
    super(detail || title || `the hub answered ${status}`)
    this.status = status
    this.title = title
  }
}

/** The pairing this browser keeps: {token, home, person, role, name}, or null. */
export const pairing = {
  get() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null')
      return saved && saved.token && saved.home ? saved : null
    } catch {
      return null
    }
  },
  set(value) {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(value))
  },
  forget() {
    localStorage.removeItem(STORAGE_KEY)
  },
}

async function problem(response) {
  let body = null
  try {
    body = await response.json()
  } catch {
    /* not JSON */
  }
  if (body && Array.isArray(body.detail)) {
    // FastAPI validation errors: the first one is enough for a person
    const first = body.detail[0] || {}
    return new ApiError(response.status, `${(first.loc || []).slice(1).join('.')}: ${first.msg}`)
  }
  return new ApiError(response.status, body?.detail, body?.title)
}

async function request(method, path, { token, body, signal } = {}) {
  const headers = { Accept: 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let response
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal })
  } catch (e) {
    if (e.name === 'AbortError') throw e
    throw new ApiError(0, 'The hub cannot be reached. Is `twinspace up` still running?')
  }
  if (!response.ok) throw await problem(response)
  return response
}

/** Trade a code from `twinspace pair` for a device token. */
export async function pair(code, name, device = null) {
  const response = await request('POST', '/api/v1/pair', { body: { code: code.trim(), name: name.trim(), device } })
  return response.json()
}

/**
 * The hub as seen by one paired device. Optional routes (content, playback actions) are
 * looked up once in the hub's OpenAPI document, so a hub without them is never asked —
 * and the console stays free of 404s.
 */
export class Hub {
  constructor(device) {
    this.device = device
    this.home = device.home
    this.routes = null // the twin's URLs (twin-routes.js), once the client knows which twin it shows
    this.paths = null
  }

  get token() {
    return this.device.token
  }

  async json(method, path, body, signal) {
    const response = await request(method, path, { token: this.token, body, signal })
    return response.status === 204 ? null : response.json()
  }

  get(path) {
    return this.json('GET', path)
  }

  async capabilities() {
    if (this.paths) return this.paths
    try {
      const spec = await (await request('GET', '/openapi.json')).json()
      this.paths = new Set(Object.keys(spec.paths || {}))
    } catch {
      this.paths = new Set()
    }
    return this.paths
  }

  async has(path) {
    return (await this.capabilities()).has(path)
  }

  async hasAction(name) {
    return this.has(`/api/v1/homes/{home_id}/actions/${name}`)
  }

  me() {
    return this.get('/api/v1/me')
  }

  homeModel() {
    return this.get(this.routes?.model || `/api/v1/homes/${encodeURIComponent(this.home)}`)
  }

  /** Run an action: {status, action, args, message, result}. */
  action(name, args, { viewer = null, focus = null, room = null, confirm = false } = {}) {
    const body = { args, confirm }
    if (viewer) body.viewer = viewer
    if (focus) body.focus = focus
    if (room) body.room = room
    return this.json('POST', this.routes?.action(name) || `/api/v1/homes/${encodeURIComponent(this.home)}/actions/${name}`, body)
  }

  undo() {
    return this.json('POST', `/api/v1/homes/${encodeURIComponent(this.home)}/undo`)
  }

  /** The devices paired with the home (owner only): [{id, label, person, device, role, last_used_at, ...}]. */
  pairedDevices() {
    return this.get(`/api/v1/homes/${encodeURIComponent(this.home)}/devices-paired`)
  }

  /** Revoke a paired device (owner only); its connections close at once. */
  revokeDevice(id) {
    return this.json('DELETE', `/api/v1/homes/${encodeURIComponent(this.home)}/devices-paired/${encodeURIComponent(id)}`)
  }

  /**
   * A content route (`guide/now`, `channels`, `vod`, `continue-watching`, `search`), or null
   * when this hub does not have it. Lists come back as arrays whatever the route's wrapping.
   */
  async content(route, query = '') {
    if (this.routes?.joined) return null // a joined space's catalogue is its host's: not relayed
    const template = `/api/v1/homes/{home_id}/${route}`
    if (!(await this.has(template))) return null
    try {
      const out = await this.get(`/api/v1/homes/${encodeURIComponent(this.home)}/${route}${query}`)
      return listOf(out)
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 501)) return null
      throw e
    }
  }

  /**
   * One assistant turn, streamed: calls `onEvent({type, ...})` for every server-sent event
   * (understood, applied, pending, refused, answer, done) as it arrives.
   */
  async assistant(text, { viewer, room, focus, confirm = false, signal } = {}, onEvent) {
    const body = { text, stream: true, confirm }
    if (viewer) body.viewer = viewer
    if (room) body.room = room
    if (focus) body.focus = focus
    const response = await request('POST', '/v1/assistant/turns', { token: this.token, body, signal })
    const reader = response.body.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let cut
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        const data = chunk
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n')
        if (!data || data === '[DONE]') continue
        try {
          onEvent(JSON.parse(data))
        } catch (e) {
          console.warn('twinspace: an assistant event was not JSON', e)
        }
      }
    }
  }
}

function listOf(out) {
  if (Array.isArray(out)) return out
  if (out && typeof out === 'object') {
    for (const key of ['items', 'results', 'hits', 'listings', 'channels', 'titles', 'entries', 'rows', 'data']) {
      if (Array.isArray(out[key])) return out[key]
    }
  }
  return []
}
