// twinspace client: pair once, then the home in the mode this device wants
// (?mode=headset — the 3D twin, default; ?mode=glasses; ?mode=tv), or one of the virtual
// spaces the home hosts (?space=ID: the cinema, the lounge; docs/spaces.md).

import '@fontsource-variable/inter/wght.css'
import './styles.css'

import { ApiError, Hub, pairing } from './api.js'
import { Catalog } from './content.js'
import { installDebugHook } from './debug.js'
import { LiveHome } from './sync.js'
import { twinRoutes } from './twin-routes.js'
import { h, icon, toast } from './ui/dom.js'
import { pairFromLink, pairingScreen } from './ui/pairing.js'

const MODES = new Set(['headset', 'glasses', 'tv'])
const root = document.getElementById('app')
const params = new URLSearchParams(location.search)
const mode = MODES.has(params.get('mode')) ? params.get('mode') : 'headset'
const space = params.get('space') || null
document.documentElement.dataset.mode = mode

const app = {
  mode,
  ready: false,
  errors: [],
  device: null,
  hub: null,
  space, // the virtual space shown instead of the home, or null
  live: null,
  catalog: null,
  homeModel: null,
  twin: null,
  xr: null,
  snapshotName(person) {
    return this.live?.snapshot.people?.[person]?.name || this.homeModel?.people?.find((p) => p.id === person)?.name || person
  },
}
window.addEventListener('error', (e) => app.errors.push(String(e.message || e)))
window.addEventListener('unhandledrejection', (e) => app.errors.push(String(e.reason?.message || e.reason)))
installDebugHook(app)

function splash(text) {
  root.replaceChildren(h('main', { class: 'splash' }, h('div', { class: 'brand brand-large' }, h('span', { class: 'brand-mark' }), 'twinspace'), h('p', { class: 'muted' }, text)))
}

function unreachable(message) {
  const retry = h('button', { type: 'button', class: 'btn btn-primary' }, 'Try again')
  retry.addEventListener('click', () => location.reload())
  root.replaceChildren(h('main', { class: 'splash' }, h('div', { class: 'brand brand-large' }, h('span', { class: 'brand-mark' }), 'twinspace'), h('p', { class: 'notice' }, icon('alert', 16), message), retry))
}

async function start(reason = null) {
  const linked = reason ? null : await pairFromLink(mode) // opened from a pairing QR code (#pair=…)
  if (linked?.error) reason = `The pairing link did not work: ${linked.error}`
  let device = linked?.device || pairing.get()
  if (!device) device = await pairingScreen(root, { mode, reason })
  splash('Connecting to your home…')
  const hub = new Hub(device)
  let homeModel
  try {
    const me = await hub.me()
    if (me.home !== device.home) device = { ...device, home: me.home }
    device = { ...device, xr: me.device || null } // the XR device this pairing is for: what plays on it plays here
    // a home's own tokens reach the spaces it hosts, as the same person; a space it joined
    // elsewhere is reached through this hub's relays, as the guest the host admitted
    hub.routes = await twinRoutes(hub, device.home, space)
    hub.home = hub.routes.twin
    if (hub.routes.joined) device = { ...device, person: hub.routes.joined.guest }
    homeModel = await hub.homeModel()
  } catch (e) {
    if (hub.routes?.joined && e instanceof ApiError && e.status === 403) {
      return unreachable(`You are no longer in the space "${space}": ${e.message}`) // the host let this home go; the pairing is fine
    }
    if (space && e instanceof ApiError && (e.status === 403 || e.status === 404)) {
      return unreachable(`This home hosts no space "${space}" and has not joined one.`) // the pairing is fine: keep it
    }
    if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
      pairing.forget()
      return start('The hub does not know this device any more. Pair it again.')
    }
    return unreachable(e.message)
  }
  Object.assign(app, { device, hub, homeModel })
  app.catalog = new Catalog(hub)
  app.live = new LiveHome(device, { kind: mode === 'headset' ? 'browser' : mode, routes: hub.routes })
  app.live.on('unpaired', async (code) => {
    if (code === 4403) return location.reload() // another home's token: /me tells which
    app.live.destroy()
    // a joined space's relay closes when the host revoked the invite or the home left: the
    // device's pairing with its own hub is still good then
    if (hub.routes.joined && (await hub.me().then(() => true, () => false))) {
      return unreachable(`You are no longer in the space "${space}": its host ended the invite, or your home left it.`)
    }
    pairing.forget()
    start('The hub closed the connection: this device is no longer paired.')
  })
  app.live.on('log', (entries) => app.onLog?.(entries))
  // Labels are drawn into textures: the font must be there first (it is bundled, so this is fast).
  await Promise.race([
    Promise.all([document.fonts.load('600 32px "Inter Variable"'), document.fonts.load('700 32px "Inter Variable"')]).catch(() => null),
    new Promise((r) => setTimeout(r, 1500)),
  ])
  await Promise.race([app.catalog.load(homeModel), new Promise((r) => setTimeout(r, 4000))])
  const mount = mode === 'glasses' ? (await import('./modes/glasses.js')).glassesMode : mode === 'tv' ? (await import('./modes/tv.js')).tvMode : (await import('./modes/headset.js')).headsetMode
  await mount(root, app)
  app.ready = true
  document.body.dataset.ready = 'true'
}

start().catch((e) => {
  console.error(e)
  app.errors.push(String(e))
  toast(`Something went wrong: ${e.message}`, 'error', 10000)
})
