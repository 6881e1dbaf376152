// ?mode=headset (the default): the home twin in 3D, on a desktop browser or in a headset.

import { TwinView } from '../scene/twin.js'
import { XRSupport } from '../scene/xr.js'
import { assistantBox } from '../ui/assistant.js'
import { openPicker } from '../ui/picker.js'
import { ask, h, icon, toast } from '../ui/dom.js'
import { headPose } from '../sync.js'
import { topBar } from '../ui/chrome.js'
import { watchGroup } from '../watch-group.js'
import { togetherBox } from '../ui/together.js'

const SCAN_ROOM = /\b(scan|capture)\b.*\b(room|space)\b/i
const SIZES = [
  ['small', 'S', 'Small'],
  ['medium', 'M', 'Medium'],
  ['large', 'L', 'Large'],
  ['cinema', 'Cinema', 'Cinema'],
]

export async function headsetMode(root, app) {
  const { hub, live, catalog, device } = app
  const stage = h('div', { class: 'stage', id: 'stage' })
  const shell = h('div', { class: 'app app-headset' })
  root.replaceChildren(shell)

  const twin = new TwinView(stage, { live, catalog, token: hub.token })
  app.twin = twin
  catalog.load(app.homeModel).then(() => twin.sync()) // titles, if the catalogue came after the scene

  // --- top bar: viewpoints, open, XR ------------------------------------------------
  const viewSelect = h('select', { class: 'select', id: 'viewpoint', 'aria-label': 'Viewpoint' })
  const openButton = h('button', { type: 'button', class: 'btn btn-primary', id: 'open-panel' }, icon('plus', 16), h('span', { class: 'btn-label' }, 'Open'))
  const xrButton = h('button', { type: 'button', class: 'btn btn-secondary', id: 'xr-button', disabled: true, title: 'Checking for a headset…' }, icon('headset', 16), h('span', { class: 'btn-label' }, 'Enter VR'))
  const captureButton = h('button', { type: 'button', class: 'btn btn-secondary', id: 'capture-room', hidden: true, title: 'Capture the room around the headset into the twin (plane and mesh detection)' }, icon('headset', 16), h('span', { class: 'btn-label' }, 'Capture this room'))
  const assistantToggle = h('button', { type: 'button', class: 'btn btn-ghost btn-icon', id: 'assistant-toggle', title: 'Assistant', 'aria-label': 'Show the assistant', 'aria-pressed': 'true' }, icon('chat'))
  const bar = topBar(app, [viewSelect, openButton, xrButton, captureButton, assistantToggle])

  // --- focused panel toolbar -------------------------------------------------------
  const toolbar = h('div', { class: 'panel-toolbar', id: 'panel-toolbar', hidden: true, role: 'toolbar', 'aria-label': 'Panel' })

  // --- assistant -------------------------------------------------------------------
  const assistant = assistantBox({
    hub,
    intercept: (text) => SCAN_ROOM.test(text) && (captureRoom(), true), // "scan the room" is the headset's job
    context: () => {
      const v = twin.viewer()
      return { viewer: { position: v.position, yaw_deg: v.yaw_deg }, room: v.room || undefined, focus: twin.focused || undefined }
    },
  })
  const drawer = h('aside', { class: 'drawer', id: 'assistant-drawer' }, h('h2', { class: 'drawer-title' }, 'Assistant'), assistant)
  if (window.innerWidth < 820) {
    drawer.classList.add('hidden') // small screens: the 3D view first, the assistant a tap away
    assistantToggle.setAttribute('aria-pressed', 'false')
  }
  assistantToggle.addEventListener('click', () => {
    const hidden = drawer.classList.toggle('hidden')
    assistantToggle.setAttribute('aria-pressed', String(!hidden))
    twin.resize()
  })

  const hint = h('div', { class: 'hint', id: 'hint' }, 'Drag to orbit · click a panel to focus, drag it along its wall · double-click the floor to stand there')
  shell.append(bar, h('div', { class: 'workspace' }, stage, drawer), toolbar, hint)
  setTimeout(() => hint.classList.add('faded'), 9000)

  // --- actions through the hub -------------------------------------------------------
  const viewerArgs = () => {
    const v = twin.viewer()
    return { viewer: { position: v.position, yaw_deg: v.yaw_deg }, room: v.room || null }
  }
  async function run(name, args, extra = {}) {
    const out = await hub.action(name, args, { ...viewerArgs(), focus: twin.focused, ...extra })
    if (out.status === 'pending') {
      if (await ask(out.message, { ok: 'Confirm' })) return run(name, args, { ...extra, confirm: true })
      return out
    }
    return out
  }
  const attempt = async (label, fn) => {
    try {
      const out = await fn()
      if (out?.message) toast(out.message, 'ok', 2600)
      return out
    } catch (e) {
      toast(`${label}: ${e.message}`, 'error', 6000)
      return null
    }
  }

  openButton.addEventListener('click', async () => {
    await catalog.load(app.homeModel)
    openPicker(catalog, async ({ content, placement }) => {
      const args = { content }
      if (placement) args.placement = placement
      const out = await run('panel.open', args)
      const id = out?.result?.panel?.id
      if (id) {
        toast(out.message, 'ok', 2600)
        const focusWhenThere = () => (twin.panels.has(id) ? twin.setFocus(id) : setTimeout(focusWhenThere, 50))
        focusWhenThere()
      }
    })
  })

  // --- the focused panel's toolbar -----------------------------------------------------
  let canPlayback = false
  hub.hasAction('playback.pause').then((yes) => (canPlayback = yes))
  let canSit = false
  hub.hasAction('seat.take').then((yes) => (canSit = yes) && renderViewpoints())
  function renderToolbar() {
    const id = twin.focused
    const view = id ? twin.panels.get(id) : null
    const tv = id && !view ? twin.devices.get(id) : null
    toolbar.hidden = !view && !tv?.screen
    hint.classList.toggle('faded', !!view || !!tv || hint.classList.contains('faded'))
    if (tv?.screen) return renderScreenToolbar(id, tv)
    if (!view) return
    const d = view.data
    const surface = d.surface ? twin.surfaces.get(d.surface) : null
    const tail = surface ? surface.surface.id.split('/').pop() : null
    const wall = tail?.match(/^wall-(north|south|east|west)$/)
    const where = !tail ? 'floating' : wall ? `${wall[1]} wall` : tail.replace(/-/g, ' ')
    const sizeButtons = SIZES.map(([value, short, long]) => {
      const b = h('button', { type: 'button', class: `btn btn-seg${d.size_preset === value ? ' active' : ''}`, title: long, 'aria-pressed': String(d.size_preset === value), dataset: { size: value } }, short)
      b.addEventListener('click', () => attempt('Resize', () => run('panel.resize', { panel: id, size: value })))
      return b
    })
    const [playButton, muteButton] = playbackButtons(id, view.content)
    const together = watchTogether(id, view.content.groupLines())
    const close = h('button', { type: 'button', class: 'btn btn-icon btn-danger', id: 'panel-close', title: 'Close the panel', 'aria-label': 'Close the panel' }, icon('close'))
    close.addEventListener('click', () => attempt('Close', () => run('panel.close', { panel: id })))
    toolbar.replaceChildren(
      h('div', { class: 'toolbar-title' }, h('strong', {}, catalog.title(d.content)), h('small', {}, `${d.id} · ${where}`)),
      h('div', { class: 'seg', role: 'group', 'aria-label': 'Size' }, sizeButtons),
      playButton,
      muteButton,
      together,
      close,
    )
  }
  /** Play/pause (for everyone watching) and mute (this device only) for a screen's player. */
  function playbackButtons(id, screen) {
    const player = screen.player
    const playback = live.snapshot.playback?.[id]
    const playButton = player && playback && canPlayback
      ? h('button', { type: 'button', class: 'btn btn-icon btn-ghost', id: 'panel-play', title: playback.playing ? 'Pause (for everyone)' : 'Play', 'aria-label': playback.playing ? 'Pause' : 'Play' }, icon(playback.playing ? 'pause' : 'play'))
      : null
    playButton?.addEventListener('click', () => attempt('Playback', () => run(playback.playing ? 'playback.pause' : 'playback.resume', { target: id })))
    const muteButton = player
      ? h('button', { type: 'button', class: 'btn btn-icon btn-ghost', title: player.video.muted ? 'Unmute' : 'Mute', 'aria-label': player.video.muted ? 'Unmute' : 'Mute' }, icon(player.video.muted ? 'mute' : 'volume'))
      : null
    muteButton?.addEventListener('click', () => {
      player.setMuted(!player.video.muted)
      renderToolbar()
    })
    return [playButton, muteButton]
  }
  /** A TV's (a space's screen's) toolbar: what plays, play/pause and skips for everyone, mute. */
  function renderScreenToolbar(id, tv) {
    const screen = tv.screen
    const playback = live.snapshot.playback?.[id]
    const [playButton, muteButton] = playbackButtons(id, screen)
    const skips = playback && canPlayback && !screen.player?.live
      ? [['-10', 'Back 10 s'], ['+10', 'Forward 10 s']].map(([text, title]) => {
          const b = h('button', { type: 'button', class: 'btn btn-ghost btn-small', title: `${title} (for everyone)`, dataset: { skip: text } }, `${text} s`)
          b.addEventListener('click', () => attempt('Playback', () => run('playback.seek', { target: id, delta_s: Number(text) })))
          return b
        })
      : []
    const lines = screen.groupLines()
    toolbar.replaceChildren(
      h('div', { class: 'toolbar-title' }, h('strong', {}, screen.ref ? catalog.title(screen.ref) : tv.data.name || id), h('small', {}, `${tv.data.name || id}${lines ? ` · with ${lines.map((l) => l.who).join(', ')}` : ''}`)),
      ...skips.slice(0, 1),
      playButton,
      ...skips.slice(1),
      muteButton,
    )
  }
  /** Who watches together with the panel, and Leave (the panel plays on alone, out of its group). */
  function watchTogether(id, lines) {
    if (!lines) return null
    // Leave only where there is a group to leave (a space's screen always plays along)
    const onLeave = watchGroup(live.snapshot, id) ? () => attempt('Leave', () => run('cowatch.leave', { target: id })) : null
    return togetherBox(lines, {
      id: 'panel-group', leaveId: 'panel-leave', leaveTitle: 'Leave the watch group: this panel plays on by itself', onLeave,
    })
  }
  twin.on('focus', renderToolbar)
  twin.on('group', (target) => target === twin.focused && renderToolbar())
  live.on('change', () => twin.focused && renderToolbar())

  // --- lights: click to switch -------------------------------------------------------
  const toggleLight = (id) => {
    const d = live.snapshot.devices?.[id]
    if (!d || d.kind !== 'light') return
    live.setDeviceState(id, { on: !d.state?.on })
  }
  const deviceClick = (id) => (live.snapshot.devices?.[id]?.kind === 'tv' ? twin.setFocus(id) : toggleLight(id))
  twin.on('device-click', deviceClick)

  // --- refused edits come back through the document's log ------------------------------
  live.on('rejected', (entries) => {
    for (const e of entries) toast(e.reason || 'The hub refused that change', 'error', 6500)
  })

  // --- viewpoints: orbit, people, rooms --------------------------------------------------
  function renderViewpoints() {
    const current = viewSelect.value
    const options = [h('option', { value: 'orbit' }, app.space ? 'Orbit the space' : 'Orbit the home')]
    const people = live.snapshot.people || {}
    const seen = new Set()
    for (const other of live.others) {
      if (!headPose(other.head)) continue
      const name = people[other.person]?.name || other.person || 'Guest'
      options.push(h('option', { value: `client:${other.client}` }, `Stand with ${name} (${other.kind || 'device'})`))
      seen.add(other.person)
    }
    for (const person of Object.values(people)) {
      if (seen.has(person.id)) continue
      options.push(h('option', { value: `person:${person.id}` }, `Stand where ${person.name} sits`))
    }
    // in a space, a free seat is yours to take (seat.take: the space's host decides)
    if (twin.inSpace && canSit) {
      for (const seat of Object.values(live.snapshot.seats || {})) {
        if (!seat.person) options.push(h('option', { value: `seat:${seat.id}` }, `Sit in ${seat.name || seat.id}`))
      }
    }
    for (const room of twin.rooms || []) options.push(h('option', { value: `room:${room.id}` }, `Stand in the ${room.name || room.id}`))
    viewSelect.replaceChildren(...options)
    viewSelect.value = [...viewSelect.options].some((o) => o.value === current) ? current : twin.view === 'orbit' ? 'orbit' : ''
  }
  viewSelect.addEventListener('change', () => {
    const value = viewSelect.value
    if (value === 'orbit') return twin.frameHome()
    const [kind, id] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)]
    if (kind === 'client') {
      const other = live.others.find((o) => String(o.client) === id)
      const pose = headPose(other?.head)
      if (pose) twin.standAt(pose.position, pose.yaw_deg, value)
    } else if (kind === 'person') {
      // no live pose: the person's seat in a space, else their usual spot (the sofa, facing the TV)
      const spot = twin.seatSpot(id) || twin.defaultSpot(null)
      twin.standAt(spot.position, spot.yaw_deg, value)
    } else if (kind === 'room') {
      const spot = twin.defaultSpot(id)
      twin.standAt(spot.position, spot.yaw_deg, value)
    } else if (kind === 'seat') {
      attempt('Seat', () => run('seat.take', { seat: id })).then((out) => {
        const spot = out && twin.spotOfSeat(id)
        if (spot) twin.standAt(spot.position, spot.yaw_deg, `person:${live.device.person}`)
        renderViewpoints()
        if (spot) viewSelect.value = `person:${live.device.person}` // "Stand where (you) sit": your new seat
      })
    }
    stage.querySelector('canvas')?.focus()
  })
  twin.on('view', (view) => {
    if (view === 'orbit') viewSelect.value = 'orbit'
  })
  twin.on('stood', () => {
    if (![...viewSelect.options].some((o) => o.value === '')) viewSelect.append(h('option', { value: '' }, 'Standing here'))
    viewSelect.value = ''
  })
  live.on('presence', renderViewpoints)
  let seatsKey = ''
  live.on('change', () => {
    const key = Object.values(live.snapshot.seats || {}).map((s) => `${s.id}=${s.person || ''}`).join('|')
    if (viewSelect.options.length <= 1 || key !== seatsKey) renderViewpoints() // a seat taken or freed
    seatsKey = key
  })
  twin.on('scene', () => {
    if (viewSelect.options.length <= 1 && twin.rooms?.length) renderViewpoints()
  })
  renderViewpoints()

  // --- XR -------------------------------------------------------------------------------
  const xr = new XRSupport(twin, {
    onFocus: (id) => twin.setFocus(id),
    onDevice: deviceClick,
    onResize: (panel, size) => attempt('Resize', () => run('panel.resize', { panel, size })),
    onButton: ({ panel, size, close, leave, target, playing, seek }) =>
      target ? attempt('Playback', () => (seek ? run('playback.seek', { target, delta_s: seek }) : run(playing ? 'playback.resume' : 'playback.pause', { target })))
        : close ? attempt('Close', () => run('panel.close', { panel }))
          : leave ? attempt('Leave', () => run('cowatch.leave', { target: panel }))
            : attempt('Resize', () => run('panel.resize', { panel, size })),
    // squeeze pointing away from the panels: the assistant's talk button, held
    onTalk: (pressed) => (pressed ? assistant.talk.press('xr') : assistant.talk.release('xr')),
    hub,
    home: () => hub.home,
    onNotice: (text) => toast(text, 'ok', 4000),
  })
  app.xr = xr
  // --- capturing the real room (./scene/capture.js) ----------------------------------------
  async function captureRoom() {
    if (!xr.running || xr.mode !== 'immersive-ar') return toast('Enter AR first: the room is captured from inside the headset', 'error', 5000)
    const room = twin.viewer().room || app.homeModel?.rooms?.[0]?.id || 'room'
    captureButton.disabled = true
    try {
      await xr.captureRoom(room)
    } catch (e) {
      toast(`Could not capture the room: ${e.message}`, 'error', 8000)
      xr.showCaption(e.message, 'notice')
    } finally {
      captureButton.disabled = false
    }
  }
  captureButton.addEventListener('click', captureRoom)
  assistant.talk.on('said', (text) => SCAN_ROOM.test(text) && captureRoom())
  // The drawer is out of sight in the headset: the turn is shown in the scene instead.
  assistant.talk.on('state', (state) => xr.showTalk(state))
  assistant.talk.on('said', (text) => xr.showCaption(`“${text}”`, 'said'))
  assistant.talk.on('reply', (text) => xr.showCaption(text, 'reply'))
  assistant.talk.on('notice', (text) => xr.showCaption(text, 'notice'))

  // --- presence: where I am, for "left of me" and for the others ------------------------
  let lastShared = ''
  const sharePresence = () => {
    const v = twin.viewer()
    const key = `${v.position.map((n) => n.toFixed(2))}|${Math.round(v.yaw_deg)}`
    if (key === lastShared) return
    lastShared = key
    live.setPresence({ head: { position: v.position, yaw_deg: v.yaw_deg }, kind: xr.presenting ? 'headset' : 'browser' })
  }
  const presenceTimer = setInterval(sharePresence, 1000 / 15) // 15 Hz while moving (docs/spaces.md); nothing while still
  sharePresence()

  const supported = await xr.detect()
  const label = () => (xr.running ? `Exit ${xr.mode === 'immersive-ar' ? 'AR' : 'VR'}` : supported.ar ? 'Enter AR' : 'Enter VR')
  if (supported.ar || supported.vr) {
    xrButton.disabled = false
    xrButton.title = supported.ar ? 'Mixed reality with passthrough (immersive-ar, local-floor)' : 'Virtual reality (immersive-vr, local-floor)'
  } else {
    xrButton.title = window.isSecureContext ? 'No WebXR headset found on this browser' : 'WebXR needs https:// or localhost'
  }
  xrButton.replaceChildren(icon('headset', 16), h('span', { class: 'btn-label' }, label()))
  xrButton.addEventListener('click', async () => {
    if (!xr.running) assistant.talk.warm() // this click lets audio start; a squeeze in there may not
    xrButton.disabled = true
    try {
      if (xr.running) await xr.exit()
      else await xr.enter()
    } catch (e) {
      toast(`Could not start the headset session: ${e.message}`, 'error', 6000)
    } finally {
      xrButton.disabled = false
    }
  })
  twin.on('xr', () => {
    captureButton.hidden = !(xr.running && xr.mode === 'immersive-ar')
    xrButton.replaceChildren(icon('headset', 16), h('span', { class: 'btn-label' }, label()))
    sharePresence()
  })

  return {
    destroy() {
      clearInterval(presenceTimer)
      twin.destroy()
    },
  }
}
