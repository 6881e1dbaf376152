// Text in the 3D scene: crisp canvas textures on sprites and planes.

import * as THREE from 'three'

export const FONT = '"Inter Variable", Inter, system-ui, -apple-system, "Segoe UI", sans-serif'

function roundRect(ctx, x, y, w, hgt, r) {
  ctx.beginPath()
  ctx.moveTo(x + r, y)
  ctx.arcTo(x + w, y, x + w, y + hgt, r)
  ctx.arcTo(x + w, y + hgt, x, y + hgt, r)
  ctx.arcTo(x, y + hgt, x, y, r)
  ctx.arcTo(x, y, x + w, y, r)
  ctx.closePath()
}

/**
 * A label that always faces the camera at the same size on screen, however far:
 * `height` is the fraction of the view's height it takes (0.03 ≈ 20 px at 720 p).
 * opts: {color, background, weight, dot}
 */
export function makeLabel(text, { height = 0.03, color = '#e8ecf3', background = 'rgba(16,19,25,0.82)', weight = 600, dot = null } = {}) {
  const px = 56
  const pad = px * 0.45
  const canvas = document.createElement('canvas')
  const ctx = canvas.getContext('2d')
  ctx.font = `${weight} ${px}px ${FONT}`
  const dotSpace = dot ? px * 0.75 : 0
  const w = Math.ceil(ctx.measureText(text).width + pad * 2 + dotSpace)
  const hgt = Math.ceil(px * 1.6)
  canvas.width = w
  canvas.height = hgt
  ctx.font = `${weight} ${px}px ${FONT}`
  ctx.fillStyle = background
  roundRect(ctx, 0, 0, w, hgt, hgt / 2)
  ctx.fill()
  if (dot) {
    ctx.fillStyle = dot
    ctx.beginPath()
    ctx.arc(pad + px * 0.22, hgt / 2, px * 0.2, 0, Math.PI * 2)
    ctx.fill()
  }
  ctx.fillStyle = color
  ctx.textBaseline = 'middle'
  ctx.fillText(text, pad + dotSpace, hgt / 2 + px * 0.04)
  const texture = canvasTexture(canvas, 4)
  const material = new THREE.SpriteMaterial({ map: texture, transparent: true, depthWrite: false, depthTest: false, sizeAttenuation: false })
  const sprite = new THREE.Sprite(material)
  const h = height * 0.93 // a 50° view is 0.93 units high one unit away
  sprite.scale.set((h * w) / hgt, h, 1)
  sprite.renderOrder = 10
  sprite.userData.text = text
  return sprite
}

/** A flat card texture for app panels: the app's name, a glyph and a caption. */
export function appCardTexture(title, caption = 'App') {
  const canvas = document.createElement('canvas')
  canvas.width = 1024
  canvas.height = 576
  const ctx = canvas.getContext('2d')
  const hue = [...title].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 360, 7)
  const g = ctx.createLinearGradient(0, 0, 1024, 576)
  g.addColorStop(0, `hsl(${hue} 42% 22%)`)
  g.addColorStop(1, `hsl(${(hue + 40) % 360} 38% 11%)`)
  ctx.fillStyle = g
  ctx.fillRect(0, 0, 1024, 576)
  ctx.fillStyle = 'rgba(255,255,255,0.06)'
  for (let i = 0; i < 6; i++) {
    roundRect(ctx, 560 + (i % 3) * 140, 150 + Math.floor(i / 3) * 140, 118, 118, 22)
    ctx.fill()
  }
  ctx.fillStyle = `hsl(${hue} 70% 70%)`
  roundRect(ctx, 72, 72, 120, 120, 30)
  ctx.fill()
  ctx.fillStyle = '#0e1014'
  ctx.font = `700 72px ${FONT}`
  ctx.textAlign = 'center'
  ctx.textBaseline = 'middle'
  ctx.fillText(title.slice(0, 1).toUpperCase(), 132, 136)
  ctx.textAlign = 'left'
  ctx.fillStyle = '#f3f5f9'
  ctx.font = `700 84px ${FONT}`
  ctx.fillText(title, 72, 300)
  ctx.fillStyle = 'rgba(232,236,243,0.66)'
  ctx.font = `500 40px ${FONT}`
  ctx.fillText(caption, 72, 376)
  return canvasTexture(canvas, 8)
}

/** A "loading" / "paused" slate for a video panel before its first frame. */
export function slateTexture(title, caption) {
  const canvas = document.createElement('canvas')
  canvas.width = 1024
  canvas.height = 576
  const ctx = canvas.getContext('2d')
  ctx.fillStyle = '#08090c'
  ctx.fillRect(0, 0, 1024, 576)
  ctx.fillStyle = '#e8ecf3'
  ctx.font = `650 64px ${FONT}`
  ctx.textAlign = 'center'
  ctx.fillText(title, 512, 270)
  ctx.fillStyle = 'rgba(232,236,243,0.55)'
  ctx.font = `500 36px ${FONT}`
  ctx.fillText(caption, 512, 340)
  return canvasTexture(canvas)
}

/** A soft round glow for lights (additive sprite). */
let glowTexture = null
export function glow() {
  if (glowTexture) return glowTexture
  const canvas = document.createElement('canvas')
  canvas.width = canvas.height = 128
  const ctx = canvas.getContext('2d')
  const g = ctx.createRadialGradient(64, 64, 0, 64, 64, 64)
  g.addColorStop(0, 'rgba(255,220,160,1)')
  g.addColorStop(0.25, 'rgba(255,200,130,0.55)')
  g.addColorStop(1, 'rgba(255,190,120,0)')
  ctx.fillStyle = g
  ctx.fillRect(0, 0, 128, 128)
  glowTexture = canvasTexture(canvas)
  return glowTexture
}

/** A button face for controls drawn in the headset (where the page's buttons are not seen). */
export function buttonTexture(text, { active = false, danger = false } = {}) {
  const canvas = document.createElement('canvas')
  canvas.width = 256
  canvas.height = 128
  const ctx = canvas.getContext('2d')
  ctx.fillStyle = active ? '#7cb4ff' : danger ? '#3a1d22' : '#1f242d'
  roundRect(ctx, 4, 4, 248, 120, 36)
  ctx.fill()
  ctx.strokeStyle = active ? '#7cb4ff' : danger ? '#ff7a7a' : '#3a4250'
  ctx.lineWidth = 4
  ctx.stroke()
  ctx.fillStyle = active ? '#06101f' : danger ? '#ffb4b4' : '#e8ecf3'
  ctx.font = `650 ${text.length > 2 ? 46 : 60}px ${FONT}`
  ctx.textAlign = 'center'
  ctx.textBaseline = 'middle'
  ctx.fillText(text, 128, 68)
  return canvasTexture(canvas)
}

/** A texture of a drawn canvas, in sRGB like the rest of the scene. */
function canvasTexture(canvas, anisotropy = 1) {
  const texture = new THREE.CanvasTexture(canvas)
  texture.colorSpace = THREE.SRGBColorSpace
  texture.anisotropy = anisotropy
  return texture
}
