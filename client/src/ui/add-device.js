// "Add a device" (owner only): a one-time pairing link shown as a QR code. The new device scans
// it, opens https://<hub>/#pair=<code> and is paired in one step (see pairFromLink).

import { ApiError } from '../api.js'
import { h, icon } from './dom.js'

export function addDeviceItem(app) {
  const item = h('button', { type: 'button', class: 'menu-item', id: 'add-device' }, 'Add a device')
  item.addEventListener('click', () => openAddDevice(app))
  return item
}

function remaining(expiresAt) {
  return Math.max(0, Math.round((new Date(expiresAt) - Date.now()) / 1000))
}

async function openAddDevice(app) {
  let timer = null
  const body = h('div', { class: 'add-device-body' }, h('p', { class: 'muted' }, 'Making a pairing code…'))
  const close = h('button', { type: 'button', class: 'btn btn-ghost btn-icon', 'aria-label': 'Close', id: 'add-device-close' }, icon('close'))
  const dialog = h('dialog', { class: 'add-device', id: 'add-device-dialog', 'aria-label': 'Add a device' },
    h('div', { class: 'picker-head' }, h('h2', {}, 'Add a device'), close), body)
  close.addEventListener('click', () => dialog.close())
  dialog.addEventListener('close', () => {
    clearInterval(timer)
    dialog.remove()
  })
  document.body.append(dialog)
  dialog.showModal()
  try {
    const out = await app.hub.json('POST', `/api/v1/homes/${encodeURIComponent(app.hub.home)}/pairing-codes`, {})
    const qr = h('div', { class: 'qr', id: 'pair-qr', role: 'img', 'aria-label': `QR code of ${out.url}`, html: out.qr_svg }) // the hub's own SVG
    const left = h('span', { id: 'pair-expires' })
    const tick = () => {
      const s = remaining(out.expires_at)
      left.textContent = s > 0 ? `valid ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}, for one device` : 'expired: close this and add a device again'
      qr.classList.toggle('expired', s <= 0)
      if (s <= 0) clearInterval(timer)
    }
    tick()
    timer = setInterval(tick, 1000)
    body.replaceChildren(
      h('p', {}, "Scan this with the new device's camera, or open the link in its browser: it pairs in one step."),
      qr,
      h('p', { class: 'pair-link' }, h('a', { href: out.url, id: 'pair-url', target: '_blank', rel: 'noopener' }, out.url)),
      h('p', { class: 'muted' }, 'Code ', h('code', { id: 'pair-code-text' }, out.code), ' · ', left),
      out.lan
        ? h('p', { class: 'muted' }, "New to this hub? First trust its certificate on that device: ", h('a', { href: '/setup', target: '_blank' }, 'setup page'), '.')
        : h('p', { class: 'notice' }, icon('alert', 16), 'This hub serves only this computer: start it with ', h('code', {}, 'twinspace up --lan'), ' to add phones and headsets.'),
    )
  } catch (e) {
    body.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, e instanceof ApiError ? e.message : String(e)))
  }
}
