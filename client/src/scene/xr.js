// Headsets: an "Enter AR/VR" button, controller (and hand) rays to select and drag panels,
// squeeze to resize a panel or, pointing elsewhere, to talk to the assistant, and the twin
// aligned with the room.
//
// Alignment: in AR the session uses the 'local-floor' reference space. Once the room has been
// captured from this headset (`captureRoom`, ./capture.js) the twin is drawn where the hub's
// answer puts it, and found again on re-entering through a persistent anchor, or a new look
// at the room fitted by the hub. Before any capture the twin is drawn at the hub's
// coordinates (true when the session starts at the spot the home file calls (0, 0, 0) facing
// -Z). In VR, where the real room is not seen, the person starts at their viewpoint in the
// twin instead (the sofa, facing the TV).

import * as THREE from 'three'
import { makeLabel } from './labels.js'
import { CAPTURE_FEATURES, NO_DETECTION, abilities, collect, describe, inNextFrame, originOf, saved, waitFor } from './capture.js'

const SIZES = ['small', 'medium', 'large', 'cinema']
const RAY = 0x9cc8ff
// While a squeeze talks: the ray turns amber as the microphone opens, red while it listens.
const TALK_RAY = { starting: 0xffc46b, listening: 0xff6b6b }
// What the label by the talking hand says (the assistant box's states; the rest show nothing).
const TALK_LABEL = {
  starting: ['Opening the mic…', '#ffc46b'],
  listening: ['Listening… let go to send', '#ff6b6b'],
  thinking: ['Thinking…', '#9cc8ff'],
  speaking: ['Speaking…', '#9cc8ff'],
}
const CAPTION_MS = 7000 // how long the answer stays in view (what was heard stays until it comes)
const CAPTION_WAIT_MS = 30000 // ... unless it never does
const CAPTION_CHARS = 72 // one line: longer replies are cut (the drawer has them whole)

export class XRSupport {
  /**
   * @param {import('./twin.js').TwinView} twin
   * @param {{onResize: (panel, size) => void, onButton: ({panel?, size?, close?, leave?, target?, playing?, seek?}) => void,
   *          onDevice: (id) => void, onFocus: (id) => void, onTalk?: (pressed: boolean) => void}} actions
   */
  constructor(twin, actions) {
    this.twin = twin
    this.actions = actions
    this.session = null
    this.mode = null
    this.supported = { ar: false, vr: false }
    this.controllers = []
    this.active = null
    this.talking = null // the controller whose squeeze is held to talk
    this.speaker = null // ... and the one the last turn came from: the label follows that hand
    this.talkState = 'off'
    this.talkLabel = null // {key, sprite}
    this.caption = { lines: [], anchor: null, timer: null }
    this.raycaster = new THREE.Raycaster()
    this.base = null // the session's own local-floor space (captures are read in it)
    this.alignment = null // {method: 'capture' | 'anchor' | 'fit', room, good, fit_m?, origin}
    this.lastCapture = null // {found, planes, result}: what the last capture saw and what the hub made of it
    this._setupControllers()
    twin.on('frame', () => this._frame())
    // three.js has cleaned up (isPresenting false, canvas size restored) when it says 'sessionend'
    twin.renderer.xr.addEventListener('sessionend', () => this._ended())
  }

  async detect() {
    const xr = navigator.xr
    if (!xr || !xr.isSessionSupported) return this.supported
    const [ar, vr] = await Promise.all([
      xr.isSessionSupported('immersive-ar').catch(() => false),
      xr.isSessionSupported('immersive-vr').catch(() => false),
    ])
    this.supported = { ar, vr }
    return this.supported
  }

  get preferredMode() {
    return this.supported.ar ? 'immersive-ar' : this.supported.vr ? 'immersive-vr' : null
  }

  get presenting() {
    return this.twin.renderer.xr.isPresenting
  }

  /** A session is running (or starting): what the button should offer is to exit. */
  get running() {
    return this.session !== null
  }

  async enter(mode = this.preferredMode) {
    if (!mode || this.session) return
    const init = {
      requiredFeatures: ['local-floor'],
      optionalFeatures: ['hand-tracking', 'layers', 'bounded-floor', ...(mode === 'immersive-ar' ? CAPTURE_FEATURES : [])],
    }
    const session = await navigator.xr.requestSession(mode, init)
    this.session = session
    this.mode = mode
    const ar = mode === 'immersive-ar'
    this.twin.setAR(ar) // passthrough: the real room shows through where the twin draws nothing
    try {
      await this.twin.renderer.xr.setSession(session)
    } catch (e) {
      this.session = null
      this.mode = null
      this.twin.setAR(false)
      session.end().catch(() => {})
      throw e
    }
    this.base = this.twin.renderer.xr.getReferenceSpace()
    this.alignment = null
    if (!ar) this._startAtViewpoint()
    this.twin.refreshXRControls()
    this.twin.emit('xr', { presenting: true, mode })
    if (ar) this.restoreAlignment().catch((e) => this._notice(`Could not line the twin up with the room: ${e.message}`))
  }

  /** What this session can capture (planes, meshes) and keep (anchors, persistent anchors). */
  get abilities() {
    return abilities(this.session)
  }

  /**
   * Capture the room around the headset into the twin's room `room` (`room.capture` on the
   * hub), show what was found, and line the twin up with it. Resolves with the hub's answer.
   */
  async captureRoom(room) {
    const session = this.session
    if (!session || this.mode !== 'immersive-ar') throw new Error('enter AR first: the room is captured from inside the headset session')
    const can = this.abilities
    if (!can.planes && !can.meshes) throw new Error(NO_DETECTION)
    const seen = await waitFor(session, (frame) => {
      const out = collect(frame, this.base)
      return out.capture.planes.length || out.capture.meshes.length ? out : null
    })
    if (!seen) throw new Error('the headset reports no planes or meshes yet: set up the room (Quest: Settings → Physical space → Space setup), then capture again')
    this._notice(`Found ${describe(seen.found)}; sending it to the hub…`)
    const out = await this.actions.hub.action('room.capture', { room, capture: seen.capture })
    const result = out.result || {}
    this.lastCapture = { found: seen.found, planes: seen.capture.planes, result }
    const origin = originOf(result)
    this._align(origin, { method: 'capture', room, good: true, fit_m: result.fit_m ?? null })
    await this._keep(origin, room)
    this._notice(out.message)
    return out
  }

  /** On entering AR: put the twin where the last capture left it (anchor, else a new fit). */
  async restoreAlignment() {
    const home = this.actions.home?.()
    const kept = home ? saved.get(home) : null
    const session = this.session
    if (!kept || !session) return
    const can = this.abilities
    if (kept.handle && can.persistent) {
      try {
        const anchor = await session.restorePersistentAnchor(kept.handle)
        const pose = await waitFor(session, (frame) => {
          const seen = frame.getPose(anchor.anchorSpace, this.base)
          return seen && { position: seen.transform.position, orientation: seen.transform.orientation }
        })
        if (pose) {
          const { position: p, orientation: q } = pose
          this._align({ position: { x: p.x, y: p.y, z: p.z, w: 1 }, orientation: { x: q.x, y: q.y, z: q.z, w: q.w } },
            { method: 'anchor', room: kept.room, good: true })
          return
        }
      } catch (e) {
        console.warn('twinspace: the room anchor could not be restored; fitting the room instead', e)
      }
    }
    if (!can.planes && !can.meshes) return this._misaligned(kept.room, 'this browser can neither keep anchors nor see the room')
    const seen = await waitFor(session, (frame) => {
      const out = collect(frame, this.base)
      return out.capture.planes.length ? out : null
    })
    if (!seen) return this._misaligned(kept.room, 'the headset reports no planes to line the room up with')
    let out
    try {
      out = await this.actions.hub.action('room.align', { room: kept.room, capture: seen.capture })
    } catch (e) { // the hub refused or did not answer: say so rather than leave the twin unaligned in silence
      return this._misaligned(kept.room, `the hub could not line the room up: ${e.message || e}`)
    }
    const result = out.result || {}
    if (!result.good) return this._misaligned(kept.room, out.message, result.fit_m)
    this._align(originOf(result), { method: 'fit', room: kept.room, good: true, fit_m: result.fit_m })
  }

  _align(origin, about) {
    const transform = new XRRigidTransform(origin.position, origin.orientation)
    this.twin.renderer.xr.setReferenceSpace(this.base.getOffsetReferenceSpace(transform))
    this.alignment = { ...about, origin: { position: [origin.position.x, origin.position.y, origin.position.z], orientation: [origin.orientation.x, origin.orientation.y, origin.orientation.z, origin.orientation.w] } }
    this.twin.panelGroup.visible = true
  }

  /** Panels would be drawn in the wrong place: hide them and ask for a capture. */
  _misaligned(room, why, fit = null) {
    this.alignment = { method: 'none', room, good: false, fit_m: fit }
    this.twin.panelGroup.visible = false
    this._notice(`The twin is not lined up with the room (${why}). Capture the room again (say “scan the room”).`)
  }

  /** An anchor at the twin's origin, persistent where the browser can, so the next session finds it. */
  async _keep(origin, room) {
    const home = this.actions.home?.()
    if (!home) return
    let handle = null
    const can = this.abilities
    if (can.anchors) {
      try {
        const anchor = await inNextFrame(this.session, (frame) => frame.createAnchor(new XRRigidTransform(origin.position, origin.orientation), this.base))
        if (can.persistent && anchor.requestPersistentHandle) handle = await anchor.requestPersistentHandle()
      } catch (e) {
        console.warn('twinspace: no anchor for the room; the next session will fit the room instead', e)
      }
    }
    saved.set(home, { room, handle })
  }

  _notice(text) {
    this.actions.onNotice?.(text)
    this.showCaption(text, 'notice')
  }

  async exit() {
    if (this.session) await this.session.end()
  }

  _ended() {
    if (!this.session) return
    this.session = null
    this.mode = null
    this.base = null
    this.twin.panelGroup.visible = true
    this.twin.setAR(false)
    this.twin.endDrag(true)
    this.active = null
    if (this.talking) this._squeezeEnd(this.talking)
    this.speaker = null
    this._clearCaption()
    this._paintTalk()
    this.twin.refreshXRControls()
    this.twin.resize()
    this.twin.emit('xr', { presenting: false, mode: null })
  }

  _startAtViewpoint() {
    const xr = this.twin.renderer.xr
    const base = xr.getReferenceSpace()
    if (!base || typeof XRRigidTransform === 'undefined') return
    const spot = this.twin.standing
      ? { position: this.twin.standing.position, yaw_deg: (this.twin.look.yaw * 180) / Math.PI }
      : this.twin.defaultSpot(null)
    const yaw = (spot.yaw_deg * Math.PI) / 180
    // world = T(spot) · R(yaw) · tracked  ⇒  the offset space's transform is its inverse
    const inverse = new THREE.Quaternion().setFromAxisAngle(new THREE.Vector3(0, 1, 0), -yaw)
    const p = new THREE.Vector3(-spot.position[0], 0, -spot.position[2]).applyQuaternion(inverse)
    const transform = new XRRigidTransform({ x: p.x, y: 0, z: p.z, w: 1 }, { x: inverse.x, y: inverse.y, z: inverse.z, w: inverse.w })
    xr.setReferenceSpace(base.getOffsetReferenceSpace(transform))
  }

  _setupControllers() {
    const xr = this.twin.renderer.xr
    const rayGeometry = new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(0, 0, 0), new THREE.Vector3(0, 0, -1)])
    for (let i = 0; i < 2; i++) {
      const controller = xr.getController(i)
      const line = new THREE.Line(rayGeometry, new THREE.LineBasicMaterial({ color: RAY, transparent: true, opacity: 0.85 }))
      line.scale.z = 4
      line.visible = false
      controller.add(line)
      const dot = new THREE.Mesh(new THREE.SphereGeometry(0.012, 12, 8), new THREE.MeshBasicMaterial({ color: 0xffffff }))
      dot.visible = false
      this.twin.scene.add(dot)
      const entry = { controller, line, dot, hand: null }
      controller.addEventListener('connected', (event) => {
        entry.hand = !!event.data?.hand
        line.visible = event.data?.targetRayMode !== 'gaze'
      })
      controller.addEventListener('disconnected', () => {
        line.visible = false
        dot.visible = false
        if (this.active === entry) {
          this.twin.endDrag(true)
          this.active = null
        }
        if (this.talking === entry) this._squeezeEnd(entry) // its squeezeend will not come
      })
      controller.addEventListener('selectstart', () => this._selectStart(entry))
      controller.addEventListener('selectend', () => this._selectEnd(entry))
      controller.addEventListener('squeezestart', () => this._squeeze(entry))
      controller.addEventListener('squeezeend', () => this._squeezeEnd(entry))
      this.twin.scene.add(controller)
      this.controllers.push(entry)
    }
  }

  _ray(entry) {
    this.raycaster.setFromXRController(entry.controller)
    return this.raycaster
  }

  _selectStart(entry) {
    const hit = this.twin.pick(this._ray(entry))
    if (hit?.button) {
      this.actions.onButton(hit.button)
    } else if (hit?.panel) {
      this.actions.onFocus(hit.panel)
      if (this.twin.beginDrag(hit.panel, this.raycaster.ray, 'xr')) this.active = entry
    } else if (hit?.device) {
      this.actions.onDevice(hit.device) // a light toggles, a TV takes the focus (its buttons)
    } else {
      this.actions.onFocus(null)
    }
  }

  _selectEnd(entry) {
    if (this.active !== entry) return
    this.active = null
    this.twin.endDrag()
  }

  /**
   * Squeeze on a panel: the next size (small → medium → large → cinema → small). Anywhere else:
   * push-to-talk, held until the squeeze ends (the page's talk button is out of sight in here).
   */
  _squeeze(entry) {
    const hit = this.twin.pick(this._ray(entry))
    if (hit?.panel) {
      const view = this.twin.panels.get(hit.panel)
      const next = SIZES[(SIZES.indexOf(view?.data.size_preset) + 1) % SIZES.length]
      this.actions.onResize(hit.panel, next)
      return
    }
    if (this.talking || !this.actions.onTalk) return // one hand talks at a time
    this.talking = this.speaker = entry
    this._paintTalk()
    this.actions.onTalk(true)
  }

  _squeezeEnd(entry) {
    if (this.talking !== entry) return
    this.talking = null
    this._paintTalk()
    this.actions.onTalk(false)
  }

  // --- talking: what the assistant box's voice is doing, shown where the person looks ----------

  /** The assistant's talk state (idle, starting, listening, thinking, speaking, off, blocked). */
  showTalk(state) {
    this.talkState = state
    if (state === 'starting') {
      this.speaker = this.talking // none: a turn begun some other way (Space on a PC headset, say)
      this._clearCaption() // talking again: the last exchange is done with
    }
    this._paintTalk()
  }

  /** A line in front of the viewer for a few seconds: `said` starts afresh, a `reply` or `notice` goes under it. */
  showCaption(text, kind = 'reply') {
    if (!this.presenting) return
    text = String(text || '').replace(/\s+/g, ' ').trim()
    if (!text) return
    if (text.length > CAPTION_CHARS) text = `${text.slice(0, CAPTION_CHARS - 1).trimEnd()}…`
    const caption = this.caption
    if (kind === 'said' || !caption.lines.length) this._clearCaption()
    if (!caption.anchor) caption.anchor = this._ahead(1.3, -0.12)
    const sprite = makeLabel(text, {
      height: kind === 'said' ? 0.045 : 0.038,
      weight: kind === 'said' ? 650 : 550,
      color: kind === 'notice' ? '#ffd9a0' : '#e8ecf3',
      background: 'rgba(16,19,25,0.88)',
      dot: kind === 'notice' ? '#ffc46b' : null,
    })
    sprite.userData.kind = kind
    sprite.position.copy(caption.anchor)
    sprite.position.y -= caption.lines.length * 0.075 // each line under the last
    caption.lines.push(sprite)
    this.twin.scene.add(sprite)
    clearTimeout(caption.timer)
    caption.timer = setTimeout(() => this._clearCaption(), kind === 'said' ? CAPTION_WAIT_MS : CAPTION_MS)
  }

  _clearCaption() {
    const caption = this.caption
    clearTimeout(caption.timer)
    for (const sprite of caption.lines) disposeSprite(this.twin.scene, sprite)
    caption.lines = []
    caption.anchor = null
  }

  /** A point `distance` ahead of the viewer's eyes (level, whatever the head's pitch) and `drop` above them. */
  _ahead(distance, drop = 0) {
    const camera = this.twin.renderer.xr.getCamera()
    const head = camera.getWorldPosition(new THREE.Vector3())
    const forward = camera.getWorldDirection(new THREE.Vector3()).setY(0)
    if (forward.lengthSq() < 1e-6) forward.set(0, 0, -1)
    return head.addScaledVector(forward.normalize(), distance).setY(head.y + drop)
  }

  /** The talking controller's ray colour, and the label by the hand the turn came from. */
  _paintTalk() {
    const state = this.talkState
    for (const entry of this.controllers) {
      entry.line.material.color.setHex((entry === this.talking && TALK_RAY[state]) || RAY)
    }
    const [text, dot] = (this.presenting && TALK_LABEL[state]) || []
    const shown = text ? `${state}|${text}` : null
    if (this.talkLabel?.key === shown) return
    if (this.talkLabel) disposeSprite(this.twin.scene, this.talkLabel.sprite)
    this.talkLabel = null
    if (!shown) return
    const sprite = makeLabel(text, { height: 0.034, dot, background: 'rgba(16,19,25,0.88)' })
    this.twin.scene.add(sprite)
    this.talkLabel = { key: shown, sprite }
    this._placeTalkLabel()
  }

  /** Just above the hand that talks; for a turn begun some other way (Space, say), low in front of the eyes. */
  _placeTalkLabel() {
    const sprite = this.talkLabel?.sprite
    if (!sprite) return
    const entry = this.speaker
    if (entry?.line.visible) entry.controller.getWorldPosition(sprite.position).y += 0.09
    else sprite.position.copy(this._ahead(0.9, -0.3))
  }

  /** For tests and the debug hook: what the headset shows of the assistant's voice. */
  get talkView() {
    const ray = (this.talking || this.speaker)?.line.material.color.getHex()
    return {
      talking: !!this.talking,
      state: this.talkState,
      label: this.talkLabel?.sprite.userData.text ?? null,
      ray: ray === undefined ? null : `#${ray.toString(16).padStart(6, '0')}`,
      captions: this.caption.lines.map((s) => ({ kind: s.userData.kind, text: s.userData.text })),
    }
  }

  _frame() {
    if (!this.presenting) return
    this._placeTalkLabel()
    const head = new THREE.Vector3()
    this.twin.renderer.xr.getCamera().getWorldPosition(head)
    for (const entry of this.controllers) {
      if (!entry.line.visible) continue
      const ray = this._ray(entry)
      if (this.active === entry) {
        this.twin.updateDrag(ray.ray, head)
        entry.dot.visible = false
        continue
      }
      const hit = this.twin.pick(ray)
      entry.dot.visible = !!hit
      if (hit) entry.dot.position.copy(hit.point)
      entry.line.scale.z = hit ? Math.max(0.05, hit.point.distanceTo(ray.ray.origin)) : 4
    }
  }
}

function disposeSprite(scene, sprite) {
  scene.remove(sprite)
  sprite.material.map?.dispose()
  sprite.material.dispose()
}
