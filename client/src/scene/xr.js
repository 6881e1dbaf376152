// Headsets: an "Enter AR/VR" button, controller (and hand) rays to select and drag panels,
// and the twin aligned with the room.
//
// Alignment: in AR the session uses the 'local-floor' reference space and the twin is drawn
// at the hub's coordinates, i.e. this assumes the hub's origin is the room's origin — true
// when the home was imported from this headset's room scan (MRUK) or the session starts at
// the spot the home file calls (0, 0, 0) facing -Z. In VR, where the real room is not seen,
// the person starts at their viewpoint in the twin instead (the sofa, facing the TV).

import * as THREE from 'three'

const SIZES = ['small', 'medium', 'large', 'cinema']

export class XRSupport {
  /**
   * @param {import('./twin.js').TwinView} twin
   * @param {{onResize: (panel, size) => void, onButton: ({panel, size?, close?}) => void,
   *          onToggleLight: (id) => void, onFocus: (id) => void}} actions
   */
  constructor(twin, actions) {
    this.twin = twin
    this.actions = actions
    this.session = null
    this.mode = null
    this.supported = { ar: false, vr: false }
    this.controllers = []
    this.active = null
    this.raycaster = new THREE.Raycaster()
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
      optionalFeatures: ['hand-tracking', 'layers', 'bounded-floor'],
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
    if (!ar) this._startAtViewpoint()
    this.twin.refreshXRControls()
    this.twin.emit('xr', { presenting: true, mode })
  }

  async exit() {
    if (this.session) await this.session.end()
  }

  _ended() {
    if (!this.session) return
    this.session = null
    this.mode = null
    this.twin.setAR(false)
    this.twin.endDrag(true)
    this.active = null
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
      const line = new THREE.Line(rayGeometry, new THREE.LineBasicMaterial({ color: 0x9cc8ff, transparent: true, opacity: 0.85 }))
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
      })
      controller.addEventListener('selectstart', () => this._selectStart(entry))
      controller.addEventListener('selectend', () => this._selectEnd(entry))
      controller.addEventListener('squeezestart', () => this._squeeze(entry))
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
      this.actions.onToggleLight(hit.device)
    } else {
      this.actions.onFocus(null)
    }
  }

  _selectEnd(entry) {
    if (this.active !== entry) return
    this.active = null
    this.twin.endDrag()
  }

  /** Squeeze on a panel: the next size (small → medium → large → cinema → small). */
  _squeeze(entry) {
    const hit = this.twin.pick(this._ray(entry))
    if (!hit?.panel) return
    const view = this.twin.panels.get(hit.panel)
    const next = SIZES[(SIZES.indexOf(view?.data.size_preset) + 1) % SIZES.length]
    this.actions.onResize(hit.panel, next)
  }

  _frame() {
    if (!this.presenting) return
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
