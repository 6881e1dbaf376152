// The people around: every other device's presence as an avatar (a head with a visor where
// it looks, its name above), and a virtual space's seats. Presence arrives at 10–20 Hz
// (docs/spaces.md); between updates each avatar eases toward its latest pose, so heads glide
// instead of stepping at the update rate.

import * as THREE from 'three'
import { headPose } from '../sync.js'
import { makeLabel } from './labels.js'

const PERSON_COLORS = ['#7cb4ff', '#ff9f7c', '#8be0a4', '#d3a6ff', '#ffd36e', '#6fd6e0']
const HEAD_RADIUS = 0.12
const SEATED_EYES = 0.75 // a seat's pose is the sitter's head: the cushion is this far below
const EASE_S = 0.08 // time constant of the easing: a pose is 90 % reached in ~0.18 s
const SNAP_M = 3 // farther than this (a new seat, a jump): go there at once

export function personColor(id) {
  const s = String(id || '?')
  let n = 0
  for (const ch of s) n = (n * 31 + ch.charCodeAt(0)) >>> 0
  return PERSON_COLORS[n % PERSON_COLORS.length]
}

function dispose(object) {
  object.traverse((o) => {
    o.geometry?.dispose()
    for (const m of [o.material].flat()) {
      m?.map?.dispose()
      m?.dispose()
    }
  })
}

/** The shortest signed difference b − a between two angles in degrees, in (−180, 180]. */
function angleDelta(a, b) {
  return ((((b - a) % 360) + 540) % 360) - 180
}

class Avatar {
  constructor(state) {
    this.client = state.client
    this.color = personColor(state.person || state.device || state.client)
    const skin = new THREE.MeshStandardMaterial({ color: this.color, roughness: 0.45, emissive: this.color, emissiveIntensity: 0.25 })
    this.group = new THREE.Group() // at the floor under the head, turned to the head's yaw
    this.group.userData.avatar = state.client
    this.headPivot = new THREE.Group()
    const head = new THREE.Mesh(new THREE.SphereGeometry(HEAD_RADIUS, 24, 16), skin)
    // the visor: a dark band across the face (local −Z is where the person looks)
    const visor = new THREE.Mesh(
      new THREE.BoxGeometry(HEAD_RADIUS * 1.6, HEAD_RADIUS * 0.62, HEAD_RADIUS * 0.5),
      new THREE.MeshStandardMaterial({ color: 0x11151c, roughness: 0.2, metalness: 0.4 }),
    )
    visor.position.set(0, HEAD_RADIUS * 0.12, -HEAD_RADIUS * 0.82)
    this.headPivot.add(head, visor)
    this.neck = new THREE.Mesh(new THREE.CylinderGeometry(0.012, 0.012, 1, 8), new THREE.MeshBasicMaterial({ color: this.color, transparent: true, opacity: 0.35 }))
    this.ring = new THREE.Mesh(new THREE.RingGeometry(0.16, 0.2, 32), new THREE.MeshBasicMaterial({ color: this.color, transparent: true, opacity: 0.5, side: THREE.DoubleSide }))
    this.ring.rotation.x = -Math.PI / 2
    this.ring.position.y = 0.01
    this.group.add(this.headPivot, this.neck, this.ring)
    this.label = null
    this.name = ''
    this.position = null // what is drawn now
    this.yaw = 0
    this.target = null // the latest pose from presence
    this.targetYaw = 0
  }

  /** A new presence state: the pose to ease toward, and the name to show. */
  set(state, name) {
    this.state = state
    const pose = headPose(state.head)
    if (!pose) return false
    this.target = new THREE.Vector3(...pose.position)
    this.targetYaw = pose.yaw_deg
    if (!this.position || this.position.distanceTo(this.target) > SNAP_M) {
      this.position = this.target.clone()
      this.yaw = this.targetYaw
    }
    if (name !== this.name) {
      this.name = name
      if (this.label) {
        this.group.remove(this.label)
        dispose(this.label)
      }
      this.label = makeLabel(name, { height: 0.026, dot: this.color })
      this.group.add(this.label)
    }
    this.place()
    return true
  }

  /** Ease toward the target; true while still moving (the scene must redraw). */
  step(dt) {
    if (!this.target) return false
    const k = 1 - Math.exp(-dt / EASE_S)
    const far = this.position.distanceTo(this.target)
    const turn = angleDelta(this.yaw, this.targetYaw)
    if (far < 1e-4 && Math.abs(turn) < 0.05) {
      if (far === 0 && turn === 0) return false
      this.position.copy(this.target)
      this.yaw = this.targetYaw
    } else {
      this.position.lerp(this.target, k)
      this.yaw += turn * k
    }
    this.place()
    return true
  }

  place() {
    const { x, y, z } = this.position
    this.group.position.set(x, 0, z)
    this.headPivot.position.y = y
    this.headPivot.rotation.y = (this.yaw * Math.PI) / 180
    const neck = Math.max(0.01, y - HEAD_RADIUS)
    this.neck.scale.y = neck
    this.neck.position.y = neck / 2
    if (this.label) this.label.position.y = y + 0.28
  }

  dispose() {
    dispose(this.group)
  }
}

function seatMesh(seat, materials, sitter) {
  const holder = new THREE.Group()
  const [x, y, z] = seat.pose.position
  const q = seat.pose.rotation || [0, 0, 0, 1]
  holder.position.set(x, 0, z)
  // the seat faces the way its sitter looks: yaw only, chairs stand upright
  const forward = new THREE.Vector3(0, 0, -1).applyQuaternion(new THREE.Quaternion(...q))
  holder.rotation.y = Math.atan2(-forward.x, -forward.z)
  const cushionTop = Math.max(0.3, y - SEATED_EYES)
  const cushion = new THREE.Mesh(new THREE.BoxGeometry(0.56, 0.1, 0.52), materials.seat)
  cushion.position.y = cushionTop - 0.05
  const base = new THREE.Mesh(new THREE.BoxGeometry(0.5, cushionTop - 0.1, 0.46), materials.base)
  base.position.y = (cushionTop - 0.1) / 2
  const back = new THREE.Mesh(new THREE.BoxGeometry(0.56, 0.62, 0.1), materials.seat)
  back.position.set(0, cushionTop + 0.26, 0.24) // behind the sitter (+Z local)
  holder.add(base, cushion, back)
  if (sitter) {
    // whose seat it is, on its back: empty seats stay unlabelled (a full cinema of tags is noise)
    const tag = makeLabel(sitter, { height: 0.018, background: 'rgba(16,19,25,0.55)', color: '#9aa5b6', weight: 550 })
    tag.position.set(0, cushionTop + 0.64, 0.26)
    holder.add(tag)
  }
  holder.userData.seat = seat.id
  return holder
}

/** Seats and avatars in one group of the twin's scene. */
export class PeopleLayer {
  /**
   * @param {{snapshot: object, others: object[]}} live the live document (sync.js)
   * @param {(state: object) => string} nameOf the name to show for a presence state
   */
  constructor(live, nameOf) {
    this.live = live
    this.nameOf = nameOf
    this.group = new THREE.Group()
    this.seatGroup = new THREE.Group()
    this.avatarGroup = new THREE.Group()
    this.group.add(this.seatGroup, this.avatarGroup)
    this.avatars = new Map() // awareness client id -> Avatar
    this.seatsKey = ''
    this.materials = {
      seat: new THREE.MeshStandardMaterial({ color: 0x6b2f3a, roughness: 0.8 }),
      base: new THREE.MeshStandardMaterial({ color: 0x2b313c, roughness: 0.85 }),
    }
  }

  /** The document changed: rebuild the seats if they did. */
  syncSeats() {
    const seats = Object.values(this.live.snapshot.seats || {}).filter((s) => Array.isArray(s.pose?.position))
    const sitter = (seat) => (seat.person ? this.nameOf({ person: seat.person }) : null)
    const key = JSON.stringify(seats.map((s) => [s.id, s.pose, sitter(s)]))
    if (key === this.seatsKey) return false
    this.seatsKey = key
    for (const child of [...this.seatGroup.children]) {
      this.seatGroup.remove(child)
      child.traverse((o) => {
        if (o.isSprite) dispose(o) // a tag: its own texture; the seats share this.materials
        else o.geometry?.dispose()
      })
    }
    for (const seat of seats) this.seatGroup.add(seatMesh(seat, this.materials, sitter(seat)))
    return true
  }

  /** Presence changed: add, move and remove avatars (only others with a head pose have one). */
  syncAvatars() {
    const seen = new Set()
    for (const other of this.live.others) {
      if (!other.head) continue
      let avatar = this.avatars.get(other.client)
      if (!avatar) {
        avatar = new Avatar(other)
        this.avatars.set(other.client, avatar)
        this.avatarGroup.add(avatar.group)
      }
      if (avatar.set(other, this.nameOf(other))) seen.add(other.client)
    }
    for (const [client, avatar] of this.avatars) {
      if (seen.has(client)) continue
      this.avatarGroup.remove(avatar.group)
      avatar.dispose()
      this.avatars.delete(client)
    }
  }

  /** One frame: ease every avatar; true when something moved. */
  tick(dt) {
    let moved = false
    for (const avatar of this.avatars.values()) moved = avatar.step(dt) || moved
    return moved
  }

  /** What is drawn, for the debug hook: plain data. */
  describe() {
    return {
      seats: this.seatGroup.children.map((g) => ({ id: g.userData.seat, position: [g.position.x, g.position.y, g.position.z] })),
      avatars: [...this.avatars.values()].map((a) => ({
        client: a.client,
        name: a.name,
        visible: a.group.visible,
        position: a.position ? [a.position.x, a.position.y, a.position.z] : null,
        yaw_deg: a.yaw,
        target: a.target ? [a.target.x, a.target.y, a.target.z] : null,
      })),
    }
  }

  dispose() {
    for (const avatar of this.avatars.values()) avatar.dispose()
    this.avatars.clear()
    dispose(this.group)
  }
}
