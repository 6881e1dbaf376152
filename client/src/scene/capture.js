// The real room from the headset: read what the browser detects (WebXR plane and mesh
// detection) in one reference space, send it to the hub as `room.capture`, and keep the twin
// lined up with the room afterwards.
//
// Alignment: the hub answers a capture with the transform from the capture's space to the
// twin's (`transform`: a turn about +Y and a shift, after lowering by `floor_y`). The session
// then draws in an offset reference space whose origin is the twin's origin. To find that
// origin again in a later session (whose local-floor space starts elsewhere), an anchor is
// put there and made persistent where the browser can (`anchor.requestPersistentHandle`,
// `session.restorePersistentAnchor`); otherwise the room is looked at again and fitted to the
// stored room by the hub (`room.align`). A fit worse than a few centimetres hides the panels
// and asks for a new capture rather than drawing them in the wrong place.

export const CAPTURE_FEATURES = ['plane-detection', 'mesh-detection', 'anchors']
const STORE_KEY = 'twinspace.alignment' // {[home]: {room, handle?}}
const FRAMES_TO_WAIT = 120 // detected planes can take a moment to arrive (about 2 s at 60 Hz)

/** What this session can do: read planes, meshes; keep anchors across sessions. */
export function abilities(session) {
  const enabled = session?.enabledFeatures ? Array.from(session.enabledFeatures) : null
  const has = (feature, probe) => (enabled ? enabled.includes(feature) : probe)
  const frame = typeof XRFrame !== 'undefined' ? XRFrame.prototype : {}
  return {
    planes: has('plane-detection', 'detectedPlanes' in frame),
    meshes: has('mesh-detection', 'detectedMeshes' in frame),
    anchors: has('anchors', 'createAnchor' in frame),
    persistent: typeof session?.restorePersistentAnchor === 'function',
  }
}

export const NO_DETECTION =
  'This browser gives web pages neither the room’s planes nor its meshes (WebXR plane detection, mesh detection), so the room cannot be captured here. On a Quest, use its browser and set up the room in Settings → Physical space.'

/** The planes and meshes of one frame, in `space`: the capture the hub reads. */
export function collect(frame, space) {
  const planes = []
  const meshes = []
  const found = {}
  const count = (label) => (found[label || 'other'] = (found[label || 'other'] || 0) + 1)
  for (const plane of frame.detectedPlanes || []) {
    const pose = frame.getPose(plane.planeSpace, space)
    if (!pose || plane.polygon.length < 3) continue
    planes.push({ label: plane.semanticLabel || null, pose: poseOf(pose), polygon: plane.polygon.map((p) => [p.x, p.y, p.z]) })
    count(plane.semanticLabel)
  }
  for (const mesh of frame.detectedMeshes || []) {
    if (mesh.semanticLabel === 'global mesh') continue // the whole scan as one soup: not a surface, and large
    const pose = frame.getPose(mesh.meshSpace, space)
    if (!pose) continue
    meshes.push({ label: mesh.semanticLabel || null, pose: poseOf(pose), vertices: Array.from(mesh.vertices), indices: Array.from(mesh.indices) })
    count(mesh.semanticLabel)
  }
  return { capture: { space: 'local-floor', planes, meshes }, found }
}

function poseOf(pose) {
  const { position: p, orientation: q } = pose.transform
  return { position: [p.x, p.y, p.z], rotation: unit([q.x, q.y, q.z, q.w]) }
}

function unit(q) {
  const n = Math.hypot(...q) || 1
  return q.map((c) => c / n)
}

/** The twin's origin in the capture's space, from the hub's answer (see the header). */
export function originOf({ transform, floor_y: floorY }) {
  // twin = R(yaw)·(p − (0, floorY, 0)) + (x, 0, z)  ⇒  origin = R(−yaw)·(−x, 0, −z) + (0, floorY, 0)
  const yaw = ((transform?.yaw_deg || 0) * Math.PI) / 180
  const c = Math.cos(-yaw)
  const s = Math.sin(-yaw)
  const x = -(transform?.x || 0)
  const z = -(transform?.z || 0)
  return {
    position: { x: c * x + s * z, y: floorY || 0, z: -s * x + c * z, w: 1 },
    orientation: { x: 0, y: Math.sin(-yaw / 2), z: 0, w: Math.cos(-yaw / 2) },
  }
}

/** `use(frame)` inside the next frame's callback (a frame is only valid there), resolved with its result. */
export function inNextFrame(session, use) {
  return new Promise((resolve, reject) => session.requestAnimationFrame((time, frame) => {
    try {
      resolve(use(frame))
    } catch (e) {
      reject(e)
    }
  }))
}

/** Frames until `test(frame)` gives something (or `FRAMES_TO_WAIT` frames have passed: null). */
export async function waitFor(session, test) {
  for (let i = 0; i < FRAMES_TO_WAIT; i++) {
    const out = await inNextFrame(session, test)
    if (out) return out
  }
  return null
}

export const saved = {
  get(home) {
    try {
      return JSON.parse(localStorage.getItem(STORE_KEY) || '{}')[home] || null
    } catch {
      return null
    }
  },
  set(home, value) {
    let all = {}
    try {
      all = JSON.parse(localStorage.getItem(STORE_KEY) || '{}')
    } catch {
      all = {}
    }
    all[home] = value
    localStorage.setItem(STORE_KEY, JSON.stringify(all))
  },
}

/** Labels and counts for people: "4 walls, 1 table, 1 screen". */
export function describe(found) {
  const parts = Object.entries(found).map(([label, n]) => `${n} ${label}${n === 1 ? '' : /(s|sh|ch|x)$/.test(label) ? 'es' : 's'}`)
  return parts.length ? parts.join(', ') : 'nothing'
}
