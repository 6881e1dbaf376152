// Where the twin the client shows lives (docs/spaces.md), the one place that decides its URLs:
// the device's home, or a space that home hosts, straight from this hub; a space the home
// joined on another hub through this hub's relays (`/api/v1/homes/{home}/joined…`), actions
// included: the host decides what its guest may do. The device's own token goes with every
// one of them; the guest token stays on the hub.

const enc = encodeURIComponent

function wsOrigin() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`
}

/** A twin on this hub: the home itself, or a space it hosts (a home's tokens reach those). */
export function hostedRoutes(twin) {
  return {
    twin,
    joined: null,
    model: `/api/v1/homes/${enc(twin)}`,
    action: (name) => `/api/v1/homes/${enc(twin)}/actions/${name}`,
    syncServer: `${wsOrigin()}/api/v1/sync`, // y-websocket: server URL, room = the twin
    cowatch: (target, token) => `${wsOrigin()}/api/v1/cowatch/${enc(twin)}?${new URLSearchParams({ token, target })}`,
    media: (path) => path,
  }
}

/** A space `joined` ({id, guest, …} from the hub's list) by `home`, hosted on another hub. */
export function joinedRoutes(home, joined) {
  const base = `/api/v1/homes/${enc(home)}`
  const space = enc(joined.id)
  return {
    twin: joined.id,
    joined,
    model: `${base}/joined/${space}`,
    action: (name) => `${base}/joined/${space}/actions/${name}`, // run at the space's host, as its guest
    syncServer: `${wsOrigin()}${base}/joined-sync`,
    cowatch: (target, token) => `${wsOrigin()}${base}/joined-cowatch/${space}?${new URLSearchParams({ token, target })}`,
    // the host's /media/vod/… and /demo/live/…, relayed; other URLs (an app, a remote stream) as they are
    media: (path) => (path.startsWith('/') ? `${base}/joined-media/${space}${path}` : path),
  }
}

/**
 * The routes for `?space=ID` (or the home, without one): a space the home joined elsewhere
 * when this hub lists it so, else a space on this hub (which refuses it if the home hosts none).
 */
export async function twinRoutes(hub, home, space) {
  if (!space) return hostedRoutes(home)
  let listed = null
  try {
    listed = await hub.get(`/api/v1/homes/${enc(home)}/spaces`)
  } catch (e) {
    console.warn('twinspace: the list of spaces', e.message) // an older hub: only hosted spaces
  }
  const joined = (listed?.joined || []).find((j) => j.id === space)
  return joined ? joinedRoutes(home, joined) : hostedRoutes(space)
}
