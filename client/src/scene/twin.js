// The home twin in three.js: rooms, surfaces, devices, panels and the people around.
// It renders the live document (sync.js) and turns pointer and controller input into
// requests: a dragged panel's pose goes back into the document, the hub decides.

import * as THREE from 'three'
import { OrbitControls } from 'three/addons/controls/OrbitControls.js'
import { Emitter } from '../sync.js'
import { Player } from '../media.js'
import { PlayAlong } from '../play-along.js'
import { watchGroup } from '../watch-group.js'
import { PeopleLayer } from './avatars.js'
import { appCardTexture, buttonTexture, glow, makeLabel, slateTexture } from './labels.js'

const C = {
  background: 0x0e1014,
  floor: 0x242a34,
  floorEdge: 0x3a4352,
  wall: 0x9fb3cf,
  wallEdge: 0x5d6b80,
  furniture: 0x2b313c,
  furnitureTop: 0x353d4a,
  window: 0x7fb6ff,
  tvBezel: 0x16181d,
  tvScreen: 0x050608,
  speaker: 0x23272e,
  accent: 0x7cb4ff,
  warm: 0xffcf7a,
}
const UP = new THREE.Vector3(0, 1, 0)
const EYE = 1.6

function surfaceName(surface) {
  const tail = surface.id.split('/').pop()
  const wall = tail.match(/^wall-(north|south|east|west)$/)
  if (wall) return `${wall[1][0].toUpperCase()}${wall[1].slice(1)} wall`
  return tail.replace(/[-_]+/g, ' ').replace(/^./, (c) => c.toUpperCase())
}

const vec = (a) => new THREE.Vector3(a[0], a[1], a[2])
const quat = (a) => (a ? new THREE.Quaternion(a[0], a[1], a[2], a[3]) : new THREE.Quaternion())
const round = (x, d = 4) => Math.round(x * 10 ** d) / 10 ** d

export function yawOf(direction) {
  return (Math.atan2(-direction.x, -direction.z) * 180) / Math.PI
}

function pointInPolygon(x, z, poly) {
  let inside = false
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, zi] = poly[i]
    const [xj, zj] = poly[j]
    if (zi > z !== zj > z && x < ((xj - xi) * (z - zi)) / (zj - zi) + xi) inside = !inside
  }
  return inside
}

function centroid(poly) {
  let x = 0
  let z = 0
  for (const [px, pz] of poly) {
    x += px
    z += pz
  }
  return [x / poly.length, z / poly.length]
}

function disposeTree(object) {
  object.traverse((o) => {
    o.geometry?.dispose?.()
    const materials = Array.isArray(o.material) ? o.material : o.material ? [o.material] : []
    for (const m of materials) {
      m.map?.dispose?.()
      m.dispose?.()
    }
  })
}

/** What a panel or a TV shows: a video (live/VOD via HLS), an app card, or a slate. */
class Screen {
  constructor(twin, material, target) {
    this.twin = twin
    this.material = material
    this.target = target // the panel or device id: its playback entry, its watch group
    this.ref = null
    this.player = null
    this.videoTexture = null
    this.stillTexture = null
    // in a watch group the hub's timeline drives the video (../play-along.js)
    this.along = new PlayAlong({ live: twin.live, catalog: twin.catalog, target, token: twin.token, onChange: () => twin.groupChanged(target),
      inSpace: () => twin.inSpace })
  }

  get cowatch() {
    return this.along.cowatch
  }

  get members() {
    return this.along.members
  }

  get playingAlong() {
    return this.along.playingAlong
  }

  show(ref, playback) {
    if (ref === this.ref) {
      this.sync(playback)
      return
    }
    this.clear()
    this.ref = ref
    if (!ref) return
    const catalog = this.twin.catalog
    const title = catalog.title(ref)
    const kind = catalog.kind(ref)
    if (kind === 'app') {
      this.stillTexture = appCardTexture(title, 'App')
      this.material.map = this.stillTexture
      this.material.color.set(0xffffff)
      this.material.needsUpdate = true
      return
    }
    const url = catalog.streamUrl(ref, this.twin.token)
    this.stillTexture = slateTexture(title, kind === 'vod' ? 'Loading…' : 'Tuning in…')
    this.material.map = this.stillTexture
    this.material.color.set(0xffffff)
    this.material.needsUpdate = true
    if (!url) return
    this.player = new Player(url, { live: kind !== 'vod' })
    this.sync(playback)
  }

  sync(playback) {
    this.along.sync(this.player, playback)
  }

  /** Who watches together with this screen (watch-group.js lines), or null when it plays alone. */
  groupLines() {
    return this.along.lines()
  }

  /** What was on screen when ([local wall time s, position]) while on the hub's clock: for tests. */
  samples(since = 0) {
    return this.along.samples(since)
  }

  /** Called every frame: switch from the slate to the video once frames arrive. */
  tick() {
    if (this.player && !this.videoTexture && this.player.ready) {
      this.videoTexture = new THREE.VideoTexture(this.player.video)
      this.videoTexture.colorSpace = THREE.SRGBColorSpace
      this.material.map = this.videoTexture
      this.material.needsUpdate = true
    }
  }

  get hasVideo() {
    return !!this.videoTexture
  }

  get currentTime() {
    return this.player ? this.player.video.currentTime : null
  }

  get playing() {
    return !!this.player?.playing
  }

  clear() {
    this.along.close({ forget: true })
    if (this.player) this.player.destroy()
    this.videoTexture?.dispose()
    this.stillTexture?.dispose()
    this.player = this.videoTexture = this.stillTexture = null
    this.material.map = null
    this.material.color.set(C.tvScreen)
    this.material.needsUpdate = true
    this.ref = null
  }
}

/**
 * The row of controller-ray buttons under a panel or a TV in the headset (`view.xrControls`),
 * rebuilt only when `key` changes ('' takes it away). `buttons()`: [{text, what, active?,
 * danger?}], `what` being what a press hands to the page (`userData.xrButton`).
 */
function setButtonRow(view, key, buttons, position, scale = 1) {
  if (key === view.xrControlsKey) return
  view.xrControlsKey = key
  if (view.xrControls) {
    view.group.remove(view.xrControls)
    disposeTree(view.xrControls)
    view.xrControls = null
  }
  if (!key) return
  const row = buttons()
  const controls = new THREE.Group()
  const widths = row.map(({ text }) => (text.length > 2 ? 0.3 : 0.15))
  let x = -(widths.reduce((a, b) => a + b, 0) + 0.03 * (row.length - 1)) / 2
  row.forEach(({ text, what, active = false, danger = false }, i) => {
    const w = widths[i]
    const material = new THREE.MeshBasicMaterial({ map: buttonTexture(text, { active, danger }), transparent: true, toneMapped: false })
    const mesh = new THREE.Mesh(new THREE.PlaneGeometry(w, 0.075), material)
    mesh.position.set(x + w / 2, 0, 0)
    mesh.userData.xrButton = what
    controls.add(mesh)
    x += w + 0.03
  })
  controls.position.copy(position)
  controls.scale.setScalar(scale)
  view.xrControls = controls
  view.group.add(controls)
}

/** "Together: …" above a screen that is in a watch group: who plays along. */
class GroupBadge {
  constructor(parent) {
    this.parent = parent
    this.label = null
    this.text = null
  }

  set(lines, y) {
    const text = lines ? `Together: ${lines.map((l) => l.who).join(', ')}` : null
    if (text !== this.text) {
      this.dispose()
      this.text = text
      if (text) {
        this.label = makeLabel(text, { height: 0.024, dot: '#8be0a4' })
        this.label.name = 'watch-group'
        this.parent.add(this.label)
      }
    }
    this.label?.position.set(0, y, 0.02)
  }

  dispose() {
    if (!this.label) return
    this.parent.remove(this.label)
    disposeTree(this.label)
    this.label = null
  }
}

class PanelView {
  constructor(twin, data) {
    this.twin = twin
    this.id = data.id
    this.group = new THREE.Group()
    this.group.name = `panel:${data.id}`
    const plane = new THREE.PlaneGeometry(1, 1)
    this.highlight = new THREE.Mesh(plane, new THREE.MeshBasicMaterial({ color: C.accent, transparent: true, opacity: 0.95, depthWrite: false }))
    this.highlight.position.z = -0.006
    this.highlight.visible = false
    this.bezel = new THREE.Mesh(plane, new THREE.MeshBasicMaterial({ color: 0x15181e }))
    this.bezel.position.z = -0.003
    this.screenMaterial = new THREE.MeshBasicMaterial({ color: C.tvScreen, toneMapped: false })
    this.screen = new THREE.Mesh(plane, this.screenMaterial)
    this.screen.userData.panel = data.id
    this.bezel.userData.panel = data.id
    this.group.add(this.highlight, this.bezel, this.screen)
    this.content = new Screen(twin, this.screenMaterial, data.id)
    this.badge = new GroupBadge(this.group)
    this.label = null
    this.data = null
    this.dragging = false
    this.remoteDrag = null
    this.update(data, null)
  }

  update(data, playback) {
    const prev = this.data
    this.data = data
    if (!this.dragging) this.applyPose(data.pose)
    const [w, hgt] = data.size || [1.6, 0.9]
    this.screen.scale.set(w, hgt, 1)
    this.bezel.scale.set(w + 0.04, hgt + 0.04, 1)
    this.highlight.scale.set(w + 0.1, hgt + 0.1, 1)
    this.content.show(data.content, playback)
    const title = this.twin.catalog.title(data.content)
    if (!prev || prev.content !== data.content || this.label?.userData.text !== title) {
      if (this.label) {
        this.group.remove(this.label)
        disposeTree(this.label)
      }
      const kind = this.twin.catalog.kind(data.content)
      this.label = makeLabel(title, { height: 0.028, dot: kind === 'channel' || kind === 'programme' ? '#ff5d5d' : null })
      this.group.add(this.label)
    }
    this.label.position.set(0, hgt / 2 + 0.11, 0.02) // above: a TV often hangs below a panel
    this.refreshGroup()
  }

  refreshGroup() {
    const [, hgt] = this.data.size || [1.6, 0.9]
    this.badge.set(this.content.groupLines(), hgt / 2 + 0.2)
  }

  applyPose(pose) {
    if (!pose) return
    this.group.position.copy(vec(pose.position))
    this.group.quaternion.copy(quat(pose.rotation))
  }

  setFocused(on, hover = false) {
    this.highlight.visible = on || hover
    this.highlight.material.opacity = on ? 0.95 : 0.35
  }

  /** In the headset: size and close buttons under the focused panel, for controller rays. */
  setXRControls(on) {
    const grouped = on && !!watchGroup(this.twin.live.snapshot, this.id)
    const key = on ? `${this.data.size_preset}|${this.data.size}|${grouped}` : ''
    const [, hgt] = this.data.size || [1.6, 0.9]
    setButtonRow(this, key, () => [
      ['S', { size: 'small' }], ['M', { size: 'medium' }], ['L', { size: 'large' }], ['Cinema', { size: 'cinema' }],
      ...(grouped ? [['Leave', { leave: true }]] : []), // leave the watch group, play on alone
      ['×', { close: true }],
    ].map(([text, what]) => ({ text, what: { panel: this.id, ...what }, active: what.size === this.data.size_preset, danger: !!what.close || !!what.leave })),
    new THREE.Vector3(0, -hgt / 2 - 0.1, 0.02))
  }

  dispose() {
    this.content.clear()
    this.badge.dispose()
    disposeTree(this.group)
  }
}

class DeviceView {
  constructor(twin, data) {
    this.twin = twin
    this.id = data.id
    this.group = new THREE.Group()
    this.group.name = `device:${data.id}`
    this.kind = data.kind
    this.screen = null
    this.light = null
    this.build(data)
    this.update(data)
  }

  build(data) {
    const g = this.group
    if (data.kind === 'tv') {
      const [w, hgt] = data.size || [1.4, 0.8]
      const bezel = new THREE.Mesh(new THREE.BoxGeometry(w + 0.03, hgt + 0.03, 0.035), new THREE.MeshStandardMaterial({ color: C.tvBezel, roughness: 0.4, metalness: 0.3 }))
      bezel.position.z = -0.018
      this.screenMaterial = new THREE.MeshBasicMaterial({ color: C.tvScreen, toneMapped: false })
      const screen = new THREE.Mesh(new THREE.PlaneGeometry(w, hgt), this.screenMaterial)
      screen.position.z = 0.001
      this.screen = new Screen(this.twin, this.screenMaterial, data.id)
      this.badge = new GroupBadge(g)
      this.badgeY = hgt / 2 + 0.08
      g.add(bezel, screen)
      this.labelOffset = new THREE.Vector3(0, -hgt / 2 - 0.1, 0.03)
    } else if (data.kind === 'light') {
      this.bulbMaterial = new THREE.MeshStandardMaterial({ color: 0x3a3f48, emissive: C.warm, emissiveIntensity: 0, roughness: 0.5 })
      const bulb = new THREE.Mesh(new THREE.SphereGeometry(0.09, 24, 16), this.bulbMaterial)
      bulb.userData.device = data.id
      this.halo = new THREE.Sprite(new THREE.SpriteMaterial({ map: glow(), blending: THREE.AdditiveBlending, transparent: true, depthWrite: false, opacity: 0 }))
      this.halo.scale.set(1.1, 1.1, 1)
      this.halo.userData.device = data.id
      this.light = new THREE.PointLight(C.warm, 0, 7, 1.6)
      g.add(bulb, this.halo, this.light)
      this.pick = bulb
      this.labelOffset = new THREE.Vector3(0, -0.2, 0)
    } else if (data.kind === 'speaker') {
      const box = new THREE.Mesh(new THREE.BoxGeometry(0.5, 0.08, 0.1), new THREE.MeshStandardMaterial({ color: C.speaker, roughness: 0.8 }))
      g.add(box)
      this.labelOffset = new THREE.Vector3(0, 0.14, 0)
    } else {
      const box = new THREE.Mesh(new THREE.BoxGeometry(0.14, 0.1, 0.14), new THREE.MeshStandardMaterial({ color: C.speaker }))
      g.add(box)
      this.labelOffset = new THREE.Vector3(0, 0.15, 0)
    }
    // device names show on hover: the room stays readable with panels in front
    this.label = makeLabel(data.name || data.id, { height: 0.024, background: 'rgba(16,19,25,0.85)', color: '#e8ecf3', weight: 600 })
    this.label.position.copy(this.labelOffset)
    this.label.visible = false
    g.add(this.label)
    if (!this.pick) {
      this.pick = g.children[0]
    }
    this.pick.userData.device = data.id
  }

  update(data) {
    this.data = data
    if (data.pose) {
      this.group.position.copy(vec(data.pose.position))
      this.group.quaternion.copy(quat(data.pose.rotation))
      this.group.visible = true
    } else {
      this.group.visible = false
    }
    const state = data.state || {}
    if (this.kind === 'light') {
      const level = state.on ? (state.brightness == null ? 1 : Math.max(0.08, state.brightness / 100)) : 0
      this.bulbMaterial.emissiveIntensity = level * 2.2
      this.bulbMaterial.color.set(state.on ? 0xfff1d6 : 0x3a3f48)
      this.halo.material.opacity = level * 0.85
      this.halo.scale.setScalar(0.5 + level * 0.9)
      this.light.intensity = level * 5
    }
    if (this.kind === 'tv' && this.screen) {
      const playing = state.on && state.playing ? state.playing : null
      this.screen.show(playing, this.twin.live.snapshot.playback?.[data.id] || null)
      this.refreshGroup()
      this.setXRControls(this.twin.renderer.xr.isPresenting && this.twin.focused === this.id) // Play ⇄ Pause
    }
  }

  refreshGroup() {
    if (this.badge) this.badge.set(this.screen.groupLines(), this.badgeY)
  }

  /** In the headset: play/pause and skips under the focused TV while it plays (for everyone). */
  setXRControls(on) {
    const playback = this.twin.live.snapshot.playback?.[this.id]
    const player = this.screen?.player
    const key = on && player && playback ? `${playback.playing !== false}|${player.live}` : ''
    const [w, hgt] = this.data.size || [1.4, 0.8]
    const scale = Math.max(1, w / 2) // a cinema's screen is read from metres away
    setButtonRow(this, key, () => {
      const playing = playback.playing !== false
      const toggle = { text: playing ? 'Pause' : 'Play', what: { target: this.id, playing: !playing } }
      if (player.live) return [toggle]
      return [{ text: '−10 s', what: { target: this.id, seek: -10 } }, toggle, { text: '+10 s', what: { target: this.id, seek: 10 } }]
    }, new THREE.Vector3(0, -hgt / 2 - 0.1 * scale, 0.03), scale)
  }

  dispose() {
    this.screen?.clear()
    this.badge?.dispose()
    disposeTree(this.group)
  }
}

export class TwinView extends Emitter {
  /**
   * @param {HTMLElement} container
   * @param {{live: import('../sync.js').LiveHome, catalog: import('../content.js').Catalog, token: string}} deps
   */
  constructor(container, { live, catalog, token }) {
    super()
    this.container = container
    this.live = live
    this.catalog = catalog
    this.token = token
    this.panels = new Map()
    this.devices = new Map()
    this.surfaces = new Map() // id -> {surface, room, pick, normal, up, wall}
    this.wallMeshes = []
    this.roomsKey = ''
    this.focused = null
    this.hovered = null
    this.drag = null
    this.view = 'orbit'
    this.standing = null
    this.arMode = false
    this.dirty = true

    const renderer = new THREE.WebGLRenderer({ antialias: true, alpha: true, powerPreference: 'high-performance' })
    renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2))
    renderer.setClearColor(C.background, 1)
    renderer.xr.enabled = true
    renderer.xr.setReferenceSpaceType('local-floor')
    renderer.domElement.className = 'twin-canvas'
    renderer.domElement.setAttribute('aria-label', 'The home in 3D')
    renderer.domElement.tabIndex = 0
    container.append(renderer.domElement)
    this.renderer = renderer

    this.scene = new THREE.Scene()
    this.scene.background = new THREE.Color(C.background)
    this.camera = new THREE.PerspectiveCamera(50, 1, 0.05, 200)
    this.camera.position.set(6, 8, 10)
    this.scene.add(new THREE.HemisphereLight(0xdfe8ff, 0x1a1d24, 1.25))
    const sun = new THREE.DirectionalLight(0xffffff, 0.9)
    sun.position.set(4, 10, 6)
    this.scene.add(sun)

    this.shell = new THREE.Group() // rooms and furniture: hidden in AR, where the real room is visible
    this.pickables = new THREE.Group() // invisible surface planes for dragging
    this.deviceGroup = new THREE.Group()
    this.panelGroup = new THREE.Group()
    this.people = new PeopleLayer(live, (state) => this.nameOf(state)) // seats and avatars (./avatars.js)
    this.avatars = this.people.avatars
    this.scene.add(this.shell, this.pickables, this.deviceGroup, this.panelGroup, this.people.group)

    this.controls = new OrbitControls(this.camera, renderer.domElement)
    this.controls.enableDamping = true
    this.controls.dampingFactor = 0.09
    this.controls.maxPolarAngle = Math.PI * 0.49
    this.controls.minDistance = 1.5
    this.controls.maxDistance = 40
    this.controls.addEventListener('change', () => (this.dirty = true))

    this.raycaster = new THREE.Raycaster()
    this.pointer = new THREE.Vector2()
    this.look = { yaw: 0, pitch: 0 }
    this.tween = null
    this._bindPointer()

    new ResizeObserver(() => this.resize()).observe(container)
    this.resize()

    this.unsub = [
      live.on('change', () => this.sync()),
      live.on('presence', () => this.syncAvatars()),
    ]
    this.sync()
    this.syncAvatars()
    this.lastTime = performance.now()
    this.frame = 0
    renderer.setAnimationLoop((time, xrFrame) => this.tick(time, xrFrame))
  }

  // --- the document → the scene ------------------------------------------------------

  sync() {
    const s = this.live.snapshot
    const roomsKey = JSON.stringify(s.rooms)
    if (roomsKey !== this.roomsKey) {
      this.roomsKey = roomsKey
      this.buildRooms(Object.values(s.rooms || {}))
    }
    this.syncMap(this.devices, s.devices, (d) => new DeviceView(this, d), this.deviceGroup, (v, d) => {
      if (v.kind !== d.kind) return false
      v.update(d)
      return true
    })
    this.syncMap(this.panels, s.panels, (d) => new PanelView(this, d), this.panelGroup, (v, d) => {
      v.update(d, s.playback?.[d.id] || null)
      return true
    })
    for (const [id, view] of this.panels) if (!s.panels?.[id] && this.focused === id) this.setFocus(null)
    this.people.syncSeats()
    this.refreshXRControls()
    this.dirty = true
    this.emit('scene')
  }

  /** A screen's watch group or its members changed: its badge, and the UI (`group` event). */
  groupChanged(target) {
    const view = this.panels.get(target) || this.devices.get(target)
    view?.refreshGroup?.()
    this.dirty = true
    this.emit('group', target)
  }

  syncMap(views, data, create, parent, update) {
    for (const [id, view] of views) {
      if (!data?.[id] || !update(view, data[id])) {
        parent.remove(view.group)
        view.dispose()
        views.delete(id)
      }
    }
    for (const [id, d] of Object.entries(data || {})) {
      if (!views.has(id)) {
        const view = create(d)
        views.set(id, view)
        parent.add(view.group)
        if (views === this.panels) view.update(d, this.live.snapshot.playback?.[id] || null)
      }
    }
  }

  /** A virtual space (hosted here or joined elsewhere), not a home. */
  get inSpace() {
    return !!this.live.routes?.joined || (this.live.snapshot.home?.kind || 'home') !== 'home'
  }

  /** What a panel or a TV shows (its Screen), by target id; null for anything else. */
  screenOf(target) {
    return this.panels.get(target)?.content || this.devices.get(target)?.screen || null
  }

  /** The name an avatar shows: the person's, from the document, else the device's. */
  nameOf(state) {
    const people = this.live.snapshot.people || {}
    return people[state.person]?.name || state.name || state.person || 'Guest'
  }

  syncAvatars() {
    this.people.syncAvatars()
    for (const other of this.live.others) {
      // a drag in progress elsewhere: show the panel where their hand is
      const drag = other.dragging
      if (drag?.panel && drag.pose && this.panels.has(drag.panel)) {
        const view = this.panels.get(drag.panel)
        if (!view.dragging) view.applyPose(drag.pose)
        view.remoteDrag = other.client
      }
    }
    for (const [id, view] of this.panels) {
      if (view.remoteDrag && !this.live.others.some((o) => o.client === view.remoteDrag && o.dragging?.panel === id)) {
        view.remoteDrag = null
        view.applyPose(view.data.pose)
      }
    }
    this.dirty = true
    this.emit('scene')
  }

  buildRooms(rooms) {
    for (const child of [...this.shell.children]) {
      this.shell.remove(child)
      disposeTree(child)
    }
    for (const child of [...this.pickables.children]) {
      this.pickables.remove(child)
      disposeTree(child)
    }
    this.surfaces.clear()
    this.wallMeshes = []
    this.rooms = rooms
    const floorMaterial = new THREE.MeshStandardMaterial({ color: C.floor, roughness: 0.95 })
    const wallMaterial = new THREE.MeshBasicMaterial({ color: C.wall, transparent: true, opacity: 0.08, side: THREE.DoubleSide, depthWrite: false })
    const furniture = new THREE.MeshStandardMaterial({ color: C.furniture, roughness: 0.85 })
    const furnitureTop = new THREE.MeshStandardMaterial({ color: C.furnitureTop, roughness: 0.7 })
    const pickMaterial = new THREE.MeshBasicMaterial({ visible: false })
    const box = new THREE.Box3()

    for (const room of rooms) {
      const floor = room.floor || []
      if (floor.length >= 3) {
        const shape = new THREE.Shape(floor.map(([x, z]) => new THREE.Vector2(x, -z)))
        const mesh = new THREE.Mesh(new THREE.ShapeGeometry(shape), floorMaterial)
        mesh.rotation.x = -Math.PI / 2
        mesh.userData.room = room.id
        mesh.userData.floor = true
        this.shell.add(mesh)
        const outline = new THREE.LineLoop(
          new THREE.BufferGeometry().setFromPoints(floor.map(([x, z]) => new THREE.Vector3(x, 0.004, z))),
          new THREE.LineBasicMaterial({ color: C.floorEdge }),
        )
        this.shell.add(outline)
        for (const [x, z] of floor) box.expandByPoint(new THREE.Vector3(x, 0, z))
        box.expandByPoint(new THREE.Vector3(floor[0][0], room.height || 2.6, floor[0][1]))
        const [cx, cz] = centroid(floor)
        const label = makeLabel(room.name || room.id, { height: 0.036, weight: 700, background: 'rgba(16,19,25,0.6)' })
        // a name tag at the room's near-left corner, clear of the furniture in the middle
        const xs = floor.map(([x]) => x)
        const zs = floor.map(([, z]) => z)
        const [minX, maxX, minZ, maxZ] = [Math.min(...xs), Math.max(...xs), Math.min(...zs), Math.max(...zs)]
        const tag = [minX + Math.min(1.1, (maxX - minX) * 0.22), maxZ - Math.min(0.5, (maxZ - minZ) * 0.15)]
        const [lx, lz] = pointInPolygon(tag[0], tag[1], floor) ? tag : [cx, cz]
        label.position.set(lx, 0.02, lz)
        label.userData.roomLabel = true
        this.shell.add(label)
      }
      for (const surface of room.surfaces || []) this.buildSurface(room, surface, { wallMaterial, furniture, furnitureTop, pickMaterial })
    }
    const extent = box.isEmpty() ? 12 : Math.ceil(Math.max(box.max.x - box.min.x, box.max.z - box.min.z) + 8)
    const grid = new THREE.GridHelper(extent, extent, 0x262b35, 0x181c23)
    const mid = box.isEmpty() ? new THREE.Vector3() : box.getCenter(new THREE.Vector3())
    grid.position.set(Math.round(mid.x), -0.005, Math.round(mid.z))
    this.shell.add(grid)
    this.bounds = box.isEmpty() ? new THREE.Box3(new THREE.Vector3(-3, 0, -3), new THREE.Vector3(3, 2.6, 3)) : box
    if (!this.framed) {
      this.framed = true
      this.frameHome(false)
    }
  }

  buildSurface(room, surface, m) {
    const pose = surface.pose
    if (!pose || !surface.size) return
    const [w, hgt] = surface.size
    const position = vec(pose.position)
    const rotation = quat(pose.rotation)
    const normal = new THREE.Vector3(0, 0, 1).applyQuaternion(rotation)
    const label = surface.label || ''
    const info = { surface, room: room.id, normal, up: normal.y > 0.7, wall: label === 'WALL_FACE', position, rotation }
    this.surfaces.set(surface.id, info)

    if (label === 'FLOOR' || label === 'CEILING') return // the floor polygon draws the floor

    const pick = new THREE.Mesh(new THREE.PlaneGeometry(w, hgt), m.pickMaterial)
    pick.position.copy(position)
    pick.quaternion.copy(rotation)
    pick.userData.surface = surface.id
    this.pickables.add(pick)
    info.pick = pick

    if (label === 'WALL_FACE' || label === 'INVISIBLE_WALL_FACE') {
      const wall = new THREE.Mesh(new THREE.PlaneGeometry(w, hgt), m.wallMaterial.clone())
      wall.position.copy(position)
      wall.quaternion.copy(rotation)
      wall.renderOrder = -1
      const edges = new THREE.LineSegments(new THREE.EdgesGeometry(new THREE.PlaneGeometry(w, hgt)), new THREE.LineBasicMaterial({ color: C.wallEdge, transparent: true, opacity: 0.7 }))
      wall.add(edges)
      wall.userData = { normal, position }
      this.shell.add(wall)
      this.wallMeshes.push(wall)
      const text = makeLabel(surfaceName(surface), { height: 0.02, background: 'rgba(16,19,25,0.55)', color: '#9aa5b6', weight: 550 })
      text.position.copy(position).addScaledVector(UP, -hgt / 2 + 0.14).addScaledVector(normal, 0.03) // low: panels keep 0.5 m off the floor
      text.userData.wallLabel = normal
      this.shell.add(text)
      return
    }
    if (label === 'WINDOW_FRAME' || label === 'DOOR_FRAME') {
      const pane = new THREE.Mesh(new THREE.PlaneGeometry(w, hgt), new THREE.MeshBasicMaterial({ color: C.window, transparent: true, opacity: label === 'WINDOW_FRAME' ? 0.22 : 0.12, side: THREE.DoubleSide, depthWrite: false }))
      pane.position.copy(position).addScaledVector(normal, 0.005)
      pane.quaternion.copy(rotation)
      const edges = new THREE.LineSegments(new THREE.EdgesGeometry(new THREE.PlaneGeometry(w, hgt)), new THREE.LineBasicMaterial({ color: C.window, transparent: true, opacity: 0.6 }))
      pane.add(edges)
      this.shell.add(pane)
      return
    }
    if (info.up) {
      // a slab: tables get a top and a pedestal, couches and beds a block down to the floor
      const top = position.y
      const block = label === 'COUCH' || label === 'BED' || label === 'STORAGE'
      const thickness = block ? Math.max(0.1, top) : 0.045
      const slab = new THREE.Mesh(new THREE.BoxGeometry(w, hgt, thickness), block ? m.furniture : m.furnitureTop)
      slab.position.set(0, 0, -thickness / 2)
      const holder = new THREE.Group()
      holder.position.copy(position)
      holder.quaternion.copy(rotation)
      holder.add(slab)
      if (!block && top > 0.1) {
        const leg = new THREE.Mesh(new THREE.BoxGeometry(Math.max(0.1, w * 0.5), Math.max(0.1, hgt * 0.5), top - thickness), m.furniture)
        leg.position.set(0, 0, -thickness - (top - thickness) / 2)
        holder.add(leg)
      }
      if (label === 'COUCH') {
        const back = new THREE.Mesh(new THREE.BoxGeometry(w, 0.18, 0.4), m.furniture)
        back.position.set(0, -hgt / 2 + 0.09, 0.2) // the back rest along the far edge (+Y local is -Z world)
        holder.add(back)
      }
      this.shell.add(holder)
      const text = makeLabel(surfaceName(surface), { height: 0.02, background: 'rgba(16,19,25,0.55)', color: '#9aa5b6', weight: 550 })
      text.position.copy(position).add(new THREE.Vector3(0, 0.14, 0))
      this.shell.add(text)
    }
  }

  // --- camera and viewpoints ---------------------------------------------------------

  frameHome(animate = true) {
    // Orbit around the room that matters most (the one with the TV, else the largest),
    // close enough to read it; the rest of the home stays in view around it.
    const rooms = this.rooms || []
    const tv = Object.values(this.live.snapshot.devices || {}).find((d) => d.kind === 'tv')
    const area = (r) => {
      const b = new THREE.Box3()
      for (const [x, z] of r.floor || []) b.expandByPoint(new THREE.Vector3(x, 0, z))
      return b
    }
    const main = rooms.find((r) => r.id === tv?.room) || rooms.slice().sort((a, b) => {
      const sa = area(a).getSize(new THREE.Vector3())
      const sb = area(b).getSize(new THREE.Vector3())
      return sb.x * sb.z - sa.x * sa.z
    })[0]
    const b = main ? area(main) : this.bounds
    const center = b.getCenter(new THREE.Vector3())
    const size = b.getSize(new THREE.Vector3())
    const halfW = Math.max(size.x, 3) / 2
    const halfD = Math.max(size.z, 3) / 2
    const vfov = (this.camera.fov * Math.PI) / 180
    const hfov = 2 * Math.atan(Math.tan(vfov / 2) * this.camera.aspect)
    const distance = Math.max(halfW / Math.tan(hfov / 2), halfD / Math.tan(vfov / 2)) * 1.08 + halfD
    const dir = new THREE.Vector3(0.32, 0.74, 1).normalize()
    const target = new THREE.Vector3(center.x, 0.8, center.z)
    const position = target.clone().addScaledVector(dir, distance)
    this.setView('orbit')
    this.moveCamera(position, target, animate)
  }

  moveCamera(position, target, animate = true) {
    if (!animate) {
      this.camera.position.copy(position)
      this.controls.target.copy(target)
      this.camera.lookAt(target)
      this.controls.update()
      this.dirty = true
      return
    }
    this.tween = { from: this.camera.position.clone(), fromTarget: this.controls.target.clone(), to: position, toTarget: target, t: 0 }
  }

  setView(view) {
    this.view = view
    this.controls.enabled = view === 'orbit'
    this.container.classList.toggle('first-person', view === 'stand')
    this.emit('view', view)
  }

  /** Stand at `position` (eyes) looking along `yaw_deg`: a person's viewpoint. */
  standAt(position, yawDeg, label = null) {
    this.standing = { position: [...position], label }
    this.look.yaw = (yawDeg * Math.PI) / 180
    this.look.pitch = 0.05
    const eye = new THREE.Vector3(position[0], position[1] ?? EYE, position[2])
    const dir = this.lookDirection()
    this.setView('stand')
    this.tween = { from: this.camera.position.clone(), fromTarget: this.controls.target.clone(), to: eye, toTarget: eye.clone().add(dir), t: 0, stand: true }
  }

  lookDirection() {
    const { yaw, pitch } = this.look
    return new THREE.Vector3(-Math.sin(yaw) * Math.cos(pitch), Math.sin(pitch), -Math.cos(yaw) * Math.cos(pitch))
  }

  /** In a virtual space, the seat the hub gave a person (this device's by default), as a viewpoint; else null. */
  seatSpot(person = this.live.device?.person) {
    const seat = person && Object.values(this.live.snapshot.seats || {}).find((s) => s.person === person && s.pose?.position)
    return seat ? this.spotOfSeat(seat.id) : null
  }

  /** A seat's head position and facing, as a viewpoint (whoever sits there); null if there is no such seat. */
  spotOfSeat(id) {
    const seat = this.live.snapshot.seats?.[id]
    if (!seat?.pose?.position) return null
    const [qx, qy, qz, qw] = seat.pose.rotation || [0, 0, 0, 1]
    const forward = new THREE.Vector3(0, 0, -1).applyQuaternion(new THREE.Quaternion(qx, qy, qz, qw))
    return { position: [...seat.pose.position], yaw_deg: round(yawOf(forward), 1), room: seat.room, seat: seat.id }
  }

  /** A good spot to watch from in a room: the sofa facing the TV, else the middle facing north. */
  defaultSpot(roomId) {
    const own = this.seatSpot() // a space's seat is where its person watches from
    if (own && (!roomId || roomId === own.room)) return own
    const room = (this.rooms || []).find((r) => r.id === roomId) || (this.rooms || [])[0]
    if (!room) return { position: [0, EYE, 1.5], yaw_deg: 0 }
    const seat = (room.surfaces || []).find((s) => s.label === 'COUCH') || null
    const tv = Object.values(this.live.snapshot.devices || {}).find((d) => d.room === room.id && d.kind === 'tv' && d.pose)
    let [x, z] = centroid(room.floor)
    let y = EYE
    if (seat) {
      x = seat.pose.position[0]
      z = seat.pose.position[2]
      y = seat.pose.position[1] + 0.75 // seated eyes
    }
    let yaw = 0
    if (tv) yaw = yawOf(new THREE.Vector3(tv.pose.position[0] - x, 0, tv.pose.position[2] - z))
    return { position: [round(x, 3), round(y, 3), round(z, 3)], yaw_deg: round(yaw, 1), room: room.id }
  }

  roomAt(x, z) {
    return (this.rooms || []).find((r) => r.floor && pointInPolygon(x, z, r.floor))?.id || null
  }

  /** The viewer pose the hub should use for "in front of me": the camera, kept inside the home. */
  viewer() {
    const xrCam = this.renderer.xr.isPresenting ? this.renderer.xr.getCamera() : null
    const cam = xrCam || this.camera
    const position = new THREE.Vector3()
    cam.getWorldPosition(position)
    const dir = new THREE.Vector3()
    cam.getWorldDirection(dir)
    const yaw = yawOf(dir)
    if (this.view === 'orbit' && !xrCam) {
      // orbiting from outside: stand at the target, stepped back toward the camera, inside a room
      const t = this.controls.target
      const back = new THREE.Vector3(position.x - t.x, 0, position.z - t.z)
      const step = Math.min(1.5, back.length())
      back.normalize()
      let p = new THREE.Vector3(t.x, EYE, t.z)
      for (let k = step; k >= 0; k -= 0.25) {
        const q = new THREE.Vector3(t.x + back.x * k, EYE, t.z + back.z * k)
        if (this.roomAt(q.x, q.z)) {
          p = q
          break
        }
      }
      if (!this.roomAt(p.x, p.z)) {
        const spot = this.defaultSpot(null)
        return { position: spot.position, yaw_deg: round(yaw, 1), room: spot.room }
      }
      return { position: [round(p.x, 3), EYE, round(p.z, 3)], yaw_deg: round(yaw, 1), room: this.roomAt(p.x, p.z) }
    }
    return { position: [round(position.x, 3), round(position.y, 3), round(position.z, 3)], yaw_deg: round(yaw, 1), room: this.roomAt(position.x, position.z) }
  }

  // --- focus, picking and dragging ---------------------------------------------------

  setFocus(id) {
    if (this.focused === id) return
    this.focused = id
    for (const [pid, view] of this.panels) view.setFocused(pid === id, pid === this.hovered)
    this.refreshXRControls()
    this.dirty = true
    this.emit('focus', id)
  }

  refreshXRControls() {
    const presenting = this.renderer.xr.isPresenting
    for (const [pid, view] of this.panels) view.setXRControls(presenting && pid === this.focused)
    for (const [id, view] of this.devices) if (view.screen) view.setXRControls(presenting && id === this.focused)
  }

  /** What a ray hits first: {button} | {panel} | {device} | {floor, point} | null. */
  pick(raycaster) {
    const targets = []
    for (const view of [...this.panels.values(), ...this.devices.values()]) if (view.xrControls) targets.push(...view.xrControls.children)
    for (const view of this.panels.values()) targets.push(view.screen, view.bezel)
    for (const view of this.devices.values()) if (view.pick) targets.push(view.pick)
    if (!this.arMode) for (const child of this.shell.children) if (child.userData.floor) targets.push(child)
    const hit = raycaster.intersectObjects(targets, false)[0]
    if (!hit) return null
    const o = hit.object
    if (o.userData.xrButton) return { button: o.userData.xrButton, point: hit.point }
    if (o.userData.panel) return { panel: o.userData.panel, point: hit.point }
    if (o.userData.device) return { device: o.userData.device, point: hit.point }
    if (o.userData.floor) return { floor: o.userData.room, point: hit.point }
    return null
  }

  beginDrag(panelId, ray, source = 'pointer') {
    const view = this.panels.get(panelId)
    if (!view) return false
    const d = view.data
    const info = d.surface ? this.surfaces.get(d.surface) : null
    const center = view.group.position.clone()
    const normal = info?.up ? UP.clone() : new THREE.Vector3(0, 0, 1).applyQuaternion(view.group.quaternion)
    const plane = new THREE.Plane().setFromNormalAndCoplanarPoint(normal, center)
    const hit = ray.intersectPlane(plane, new THREE.Vector3())
    if (!hit) return false
    this.drag = {
      view, source, plane, offset: hit.sub(center), surface: d.surface, room: d.room,
      position: center.clone(), rotation: view.group.quaternion.clone(), start: center.clone(), moved: false,
    }
    view.dragging = true
    return true
  }

  updateDrag(ray, viewerPosition) {
    const drag = this.drag
    if (!drag) return
    const view = drag.view
    const [, hgt] = view.data.size || [1, 0.6]
    const candidates = []
    for (const info of this.surfaces.values()) if (info.pick && info.room === drag.room && (info.wall || info.up)) candidates.push(info.pick)
    const hit = new THREE.Raycaster(ray.origin, ray.direction).intersectObjects(candidates, false)[0]
    const hitInfo = hit ? this.surfaces.get(hit.object.userData.surface) : null
    if (hitInfo && hitInfo.surface.id !== drag.surface) {
      // onto another wall or a table of the room: the panel follows the pointer there
      drag.surface = hitInfo.surface.id
      drag.offset.set(0, 0, 0)
      if (hitInfo.up) {
        drag.position.copy(hit.point).addScaledVector(UP, hgt / 2)
        const toViewer = viewerPosition.clone().sub(drag.position)
        drag.rotation.setFromAxisAngle(UP, Math.atan2(toViewer.x, toViewer.z))
        drag.plane.setFromNormalAndCoplanarPoint(UP, drag.position)
      } else {
        drag.position.copy(hit.point).addScaledVector(hitInfo.normal, 0.01)
        drag.rotation.copy(hitInfo.rotation)
        drag.plane.setFromNormalAndCoplanarPoint(hitInfo.normal, drag.position)
      }
    } else {
      const p = ray.intersectPlane(drag.plane, new THREE.Vector3())
      if (!p) return
      drag.position.copy(p.sub(drag.offset))
      if (hitInfo?.up) drag.position.y = hitInfo.position.y + hgt / 2
    }
    view.group.position.copy(drag.position)
    view.group.quaternion.copy(drag.rotation)
    drag.moved = drag.moved || drag.position.distanceTo(drag.start) > 0.01
    this.dirty = true
    const now = performance.now()
    if (!drag.lastShared || now - drag.lastShared > 100) {
      drag.lastShared = now
      this.live.setPresence({ dragging: { panel: view.id, pose: this.poseOf(drag) } })
    }
  }

  poseOf(drag) {
    const p = drag.position
    const q = drag.rotation
    return { position: [round(p.x), round(p.y), round(p.z)], rotation: [round(q.x, 6), round(q.y, 6), round(q.z, 6), round(q.w, 6)] }
  }

  /** End a drag: write the pose into the document (the hub validates, snaps or refuses). */
  endDrag(cancel = false) {
    const drag = this.drag
    if (!drag) return null
    this.drag = null
    const view = drag.view
    view.dragging = false
    this.live.setPresence({ dragging: null })
    if (cancel || !drag.moved) {
      view.applyPose(view.data.pose)
      this.dirty = true
      return null
    }
    const pose = this.poseOf(drag)
    const surface = drag.surface
    this.live.movePanel(view.id, pose, surface)
    // The hub answers within milliseconds (accepted: snapped pose; refused: the old pose).
    // Either way the document changes; if nothing arrives, show what the document says.
    setTimeout(() => {
      if (!view.dragging && this.panels.get(view.id) === view) view.applyPose(view.data.pose)
      this.dirty = true
    }, 2500)
    this.emit('dragged', { panel: view.id, pose, surface })
    return { panel: view.id, pose, surface }
  }

  // --- desktop pointer ---------------------------------------------------------------

  _rayFromEvent(event) {
    const rect = this.renderer.domElement.getBoundingClientRect()
    this.pointer.set(((event.clientX - rect.left) / rect.width) * 2 - 1, -((event.clientY - rect.top) / rect.height) * 2 + 1)
    this.raycaster.setFromCamera(this.pointer, this.camera)
    return this.raycaster
  }

  _bindPointer() {
    const el = this.container
    const canvas = this.renderer.domElement
    let down = null
    el.addEventListener(
      'pointerdown',
      (event) => {
        if (event.target !== canvas || event.button !== 0 || this.renderer.xr.isPresenting) return
        const hit = this.pick(this._rayFromEvent(event))
        down = { x: event.clientX, y: event.clientY, hit, dragging: false, look: { ...this.look } }
        if (hit?.panel) {
          this.controls.enabled = false // before OrbitControls sees this pointerdown
          canvas.setPointerCapture(event.pointerId)
        } else if (this.view === 'stand') {
          canvas.setPointerCapture(event.pointerId)
        }
      },
      { capture: true },
    )
    canvas.addEventListener('pointermove', (event) => {
      if (this.renderer.xr.isPresenting) return
      const ray = this._rayFromEvent(event)
      if (!down) {
        const hit = this.pick(ray)
        const hover = hit?.panel || null
        if (hover !== this.hovered) {
          this.hovered = hover
          for (const [pid, view] of this.panels) view.setFocused(pid === this.focused, pid === hover)
          this.dirty = true
        }
        const device = hit?.device || null
        if (device !== this.hoveredDevice) {
          if (this.hoveredDevice) this.devices.get(this.hoveredDevice)?.label && (this.devices.get(this.hoveredDevice).label.visible = false)
          if (device) this.devices.get(device).label.visible = true
          this.hoveredDevice = device
          this.dirty = true
        }
        canvas.style.cursor = hit?.panel ? 'grab' : device && this.devices.get(device)?.kind === 'light' ? 'pointer' : ''
        return
      }
      const moved = Math.hypot(event.clientX - down.x, event.clientY - down.y)
      if (down.hit?.panel) {
        if (!down.dragging && moved > 4) {
          this.setFocus(down.hit.panel)
          down.dragging = this.beginDrag(down.hit.panel, this._rayFromEvent({ clientX: down.x, clientY: down.y }).ray)
          canvas.style.cursor = 'grabbing'
        }
        if (down.dragging) this.updateDrag(ray.ray, this.camera.position)
      } else if (this.view === 'stand' && moved > 2) {
        // look around from where you stand
        this.look.yaw = down.look.yaw + (event.clientX - down.x) * 0.005
        this.look.pitch = Math.max(-1.2, Math.min(1.2, down.look.pitch + (event.clientY - down.y) * 0.004))
        this.controls.target.copy(this.camera.position).add(this.lookDirection())
        this.camera.lookAt(this.controls.target)
        this.dirty = true
      }
    })
    const finish = (event) => {
      if (!down) return
      const moved = Math.hypot(event.clientX - down.x, event.clientY - down.y)
      if (down.dragging) this.endDrag(event.type === 'pointercancel')
      else if (moved < 5 && event.type === 'pointerup') this._click(down.hit)
      if (canvas.hasPointerCapture?.(event.pointerId)) canvas.releasePointerCapture(event.pointerId)
      down = null
      canvas.style.cursor = ''
      this.controls.enabled = this.view === 'orbit'
    }
    canvas.addEventListener('pointerup', finish)
    canvas.addEventListener('pointercancel', finish)
    canvas.addEventListener('dblclick', (event) => {
      const hit = this.pick(this._rayFromEvent(event))
      if (hit?.floor) {
        const dir = new THREE.Vector3()
        this.camera.getWorldDirection(dir)
        this.standAt([hit.point.x, EYE, hit.point.z], yawOf(dir))
        this.emit('stood', { label: null })
      }
    })
    canvas.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        if (this.drag) this.endDrag(true)
        else if (this.view === 'stand') this.frameHome()
        else this.setFocus(null)
      }
    })
  }

  _click(hit) {
    if (hit?.panel) this.setFocus(hit.panel)
    else if (hit?.device) this.emit('device-click', hit.device)
    else this.setFocus(null)
  }

  // --- frame loop --------------------------------------------------------------------

  resize() {
    const w = this.container.clientWidth || window.innerWidth
    const hgt = this.container.clientHeight || window.innerHeight
    if (this.renderer.xr.isPresenting) return
    this.renderer.setSize(w, hgt, false)
    this.camera.aspect = w / Math.max(1, hgt)
    this.camera.updateProjectionMatrix()
    this.dirty = true
  }

  tick(time, xrFrame) {
    const now = performance.now()
    const dt = Math.min(0.1, (now - this.lastTime) / 1000)
    this.lastTime = now
    this.frame++
    let video = false
    for (const view of this.panels.values()) {
      view.content.tick()
      video = video || view.content.playing
    }
    for (const view of this.devices.values()) {
      if (view.screen) {
        view.screen.tick()
        video = video || view.screen.playing
      }
    }
    if (this.tween) {
      const tw = this.tween
      tw.t = Math.min(1, tw.t + dt / 0.7)
      const e = tw.t < 0.5 ? 2 * tw.t * tw.t : 1 - (-2 * tw.t + 2) ** 2 / 2
      this.camera.position.lerpVectors(tw.from, tw.to, e)
      this.controls.target.lerpVectors(tw.fromTarget, tw.toTarget, e)
      this.camera.lookAt(this.controls.target)
      if (tw.t >= 1) this.tween = null
      this.dirty = true
    }
    if (this.people.tick(dt)) this.dirty = true
    if (this.view === 'orbit' && !this.tween) this.controls.update()
    if (this.drag && this.drag.source !== 'pointer') this.emit('xr-drag-frame')
    this.emit('frame', xrFrame)
    const presenting = this.renderer.xr.isPresenting
    // Off headset, draw only when something changed, and video at up to 30 fps.
    if (!presenting && !this.dirty && !(video && this.frame % 2 === 0)) return
    this.dirty = false
    this.fadeWalls(presenting)
    this.renderer.render(this.scene, this.camera)
  }

  fadeWalls(presenting) {
    const eye = new THREE.Vector3()
    ;(presenting ? this.renderer.xr.getCamera() : this.camera).getWorldPosition(eye)
    for (const wall of this.wallMeshes) {
      const facing = wall.userData.normal.dot(eye.clone().sub(wall.userData.position)) > 0
      wall.material.opacity = facing ? 0.09 : 0.025
      wall.children[0].material.opacity = facing ? 0.7 : 0.25
    }
    for (const child of this.shell.children) {
      if (child.userData.wallLabel) {
        const facing = child.userData.wallLabel.dot(eye.clone().sub(child.position)) > 0
        child.visible = facing
      }
    }
  }

  setAR(on) {
    this.arMode = on
    this.shell.visible = !on
    this.scene.background = on ? null : new THREE.Color(C.background)
    this.renderer.setClearColor(C.background, on ? 0 : 1)
    this.dirty = true
  }

  /** Screen position (CSS px, page coordinates) of a world point: for overlays and tests. */
  project(position) {
    const v = vec(position).project(this.camera)
    const rect = this.renderer.domElement.getBoundingClientRect()
    return { x: rect.left + ((v.x + 1) / 2) * rect.width, y: rect.top + ((1 - v.y) / 2) * rect.height, visible: v.z < 1 && Math.abs(v.x) <= 1 && Math.abs(v.y) <= 1 }
  }

  destroy() {
    this.renderer.setAnimationLoop(null)
    for (const off of this.unsub) off()
    for (const v of this.panels.values()) v.dispose()
    for (const v of this.devices.values()) v.dispose()
    this.people.dispose()
    this.renderer.dispose()
    this.renderer.domElement.remove()
  }
}
