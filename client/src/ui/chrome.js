// The app's top bar, one for every mode: brand, home, connection, device menu (modes, paired
// devices for the home's owner, forget this device).

import { pairing } from '../api.js'
import { addDeviceItem } from './add-device.js'
import { h, icon, toast } from './dom.js'

const MODES = [
  ['headset', 'Headset · 3D twin'],
  ['glasses', 'Glasses · heads-up'],
  ['tv', 'TV · 10-foot'],
]

export function connectionPill(live) {
  const pill = h('span', { class: 'conn', id: 'connection', role: 'status' })
  const render = () => {
    const s = live.connected ? 'connected' : live.status === 'offline' ? 'offline' : 'connecting'
    pill.dataset.state = s
    pill.replaceChildren(h('i'), s === 'connected' ? 'Live' : s === 'offline' ? 'Offline' : 'Connecting…')
    pill.title = s === 'connected' ? 'Connected to the hub: changes show up everywhere at once' : s === 'offline' ? 'Not connected to the hub' : 'Connecting to the hub…'
  }
  live.on('status', render)
  render()
  return pill
}

export function deviceMenu(app) {
  const details = h('details', { class: 'menu' })
  const summary = h('summary', { class: 'btn btn-ghost btn-icon', title: 'This device', 'aria-label': 'This device' }, icon('more'))
  const who = app.device.person ? app.snapshotName(app.device.person) : 'Shared device'
  const links = MODES.map(([mode, label]) => {
    const url = new URL(location.href)
    url.searchParams.set('mode', mode)
    return h('a', { href: url.pathname + url.search, class: `menu-item${app.mode === mode ? ' current' : ''}` }, label)
  })
  const forget = h('button', { type: 'button', class: 'menu-item danger', id: 'forget-device' }, 'Forget this device')
  forget.addEventListener('click', () => {
    pairing.forget()
    location.reload()
  })
  const paired = app.device.role === 'owner' && app.hub ? pairedDevices(app.hub) : null
  details.append(
    summary,
    h('div', { class: 'menu-body' },
      h('div', { class: 'menu-head' }, h('strong', {}, app.device.name || 'This device'), h('small', {}, `${who} · ${app.device.role} · ${app.device.home}`)),
      h('div', { class: 'menu-section' }, h('small', { class: 'muted' }, 'Mode'), links),
      app.device.role === 'owner' ? addDeviceItem(app) : null,
      paired?.section,
      forget),
  )
  details.addEventListener('toggle', () => details.open && paired?.load())
  document.addEventListener('click', (event) => {
    if (!details.contains(event.target)) details.open = false
  })
  return details
}

/** The owner's list of paired devices, each with Revoke; loaded when the menu opens. */
function pairedDevices(hub) {
  const list = h('div', { id: 'paired-devices' })
  const section = h('div', { class: 'menu-section' }, h('small', { class: 'muted' }, 'Paired devices'), list)
  async function load() {
    try {
      const devices = await hub.pairedDevices()
      list.replaceChildren(...devices.map((d) => {
        const revoke = h('button', { type: 'button', class: 'btn btn-ghost btn-small danger', dataset: { pairing: d.id } }, 'Revoke')
        revoke.addEventListener('click', async () => {
          revoke.disabled = true
          try {
            await hub.revokeDevice(d.id)
            toast(`${d.label} can no longer use this home`, 'ok')
            load()
          } catch (e) {
            revoke.disabled = false
            toast(e.message, 'error')
          }
        })
        const used = d.last_used_at ? new Date(d.last_used_at).toLocaleDateString() : 'never'
        return h('div', { class: 'menu-item paired-device' }, h('span', {}, d.label, h('small', { class: 'muted' }, ` ${d.person || 'shared'} · used ${used}`)), revoke)
      }))
    } catch (e) {
      list.replaceChildren(h('small', { class: 'muted' }, e.message))
    }
  }
  return { section, load }
}

/** The modes' bar differs only in its class (its layout), the brand's size and what sits
 * before the device menu: the headset's tools, the TV's and the glasses' clock. */
const BARS = {
  headset: { className: 'topbar', brand: 'brand' },
  tv: { className: 'tv-top', brand: 'brand brand-large' },
  glasses: { className: 'hud-top', brand: 'brand' },
}

export function topBar(app, actions = [], { kind = 'headset' } = {}) {
  const bar = BARS[kind]
  if (!bar) throw new Error(`topBar: no bar for ${kind}; one of ${Object.keys(BARS).join(', ')}`)
  const homeName = h('span', { class: 'home-name', id: 'home-name' }, app.homeModel?.name || app.device.home)
  app.live.on('change', (s) => {
    if (s.home?.name) homeName.textContent = s.home.name
  })
  return h(
    'header',
    { class: bar.className },
    h('div', { class: bar.brand }, h('span', { class: 'brand-mark' }), 'twinspace'),
    homeName,
    connectionPill(app.live),
    h('div', { class: 'spacer' }),
    actions,
    deviceMenu(app),
  )
}
