// First visit: pair this device with the hub using a code from `twinspace pair`.

import { ApiError, pair, pairing } from '../api.js'
import { h, icon } from './dom.js'

function defaultName(mode) {
  const ua = navigator.userAgent
  if (mode === 'tv') return 'Living-room TV'
  if (mode === 'glasses') return 'Glasses'
  if (/OculusBrowser|Quest/i.test(ua)) return 'Quest browser'
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'Mac' : /Android/.test(ua) ? 'Android' : /Linux/.test(ua) ? 'Linux' : 'this computer'
  return `Browser on ${os}`
}

/** Show the pairing screen in `root`; resolves with the stored pairing once it worked. */
export function pairingScreen(root, { mode, reason } = {}) {
  return new Promise((resolve) => {
    const params = new URLSearchParams(location.search)
    const code = h('input', {
      id: 'pair-code', name: 'code', class: 'code-input', autocomplete: 'one-time-code', spellcheck: 'false',
      placeholder: 'ABCD-EFGH', required: true, maxlength: 12, 'aria-describedby': 'pair-help',
      value: params.get('code') || '',
    })
    const name = h('input', { id: 'pair-name', name: 'name', required: true, maxlength: 100, value: defaultName(mode) })
    const error = h('p', { class: 'form-error', role: 'alert', id: 'pair-error' })
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-wide', id: 'pair-submit' }, 'Pair this device')
    code.addEventListener('input', () => {
      const raw = code.value.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 8)
      code.value = raw.length > 4 ? `${raw.slice(0, 4)}-${raw.slice(4)}` : raw
    })
    const form = h(
      'form',
      { class: 'pair-card', id: 'pair-form', novalidate: true },
      h('div', { class: 'brand brand-large' }, h('span', { class: 'brand-mark' }), 'twinspace'),
      h('h1', {}, 'Pair this device'),
      h('p', { class: 'muted', id: 'pair-help' },
        'On the hub, run ', h('code', {}, 'twinspace pair'), ' and enter the code it prints. You only do this once on each device.'),
      reason ? h('p', { class: 'notice' }, icon('alert', 16), reason) : null,
      h('label', { for: 'pair-code' }, 'Pairing code'),
      code,
      h('label', { for: 'pair-name' }, 'Name this device'),
      name,
      error,
      submit,
    )
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      error.textContent = ''
      if (code.value.replace('-', '').length < 8) {
        error.textContent = 'The code has eight letters and digits, like ABCD-EFGH.'
        code.focus()
        return
      }
      submit.disabled = true
      submit.textContent = 'Pairing…'
      try {
        const out = await pair(code.value, name.value, params.get('device'))
        const saved = { ...out, name: name.value.trim(), paired_at: new Date().toISOString() }
        pairing.set(saved)
        resolve(saved)
      } catch (e) {
        error.textContent = e instanceof ApiError ? e.message : String(e)
        submit.disabled = false
        submit.textContent = 'Pair this device'
      }
    })
    root.replaceChildren(h('main', { class: 'pair-screen' }, form))
    ;(code.value ? name : code).focus()
  })
}

/**
 * A pairing link from a QR code (`https://<hub>/#pair=ABCD-EFGH`): pair in one step and take the
 * code out of the address bar (and so out of history). Resolves {device} or {error}, or null
 * when the page was not opened from such a link.
 */
export async function pairFromLink(mode) {
  const match = /^#pair=([A-Za-z0-9-]{8,12})$/.exec(location.hash)
  if (!match) return null
  history.replaceState(null, '', location.pathname + location.search)
  const name = defaultName(mode)
  try {
    const out = await pair(match[1], name, new URLSearchParams(location.search).get('device'))
    const saved = { ...out, name, paired_at: new Date().toISOString() }
    pairing.set(saved)
    return { device: saved }
  } catch (e) {
    return { error: e instanceof ApiError ? e.message : String(e) }
  }
}
