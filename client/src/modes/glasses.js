// ?mode=glasses: a small heads-up card UI — the assistant (voice first), what is playing nearby,
// and notifications from the home. What plays on these glasses (the XR device this pairing is
// for) plays as sound here; in a watch group it plays along (../play-along.js), and the card
// says who is watching together, with Leave.

import { Player, livePosition } from '../media.js'
import { PlayAlong } from '../play-along.js'
import { assistantBox } from '../ui/assistant.js'
import { topBar } from '../ui/chrome.js'
import { clock, h, icon, relativeTime, toast } from '../ui/dom.js'
import { Notifications } from '../ui/notify.js'
import { linesKey, togetherBox } from '../ui/together.js'

function where(app, panel) {
  const rooms = app.live.snapshot.rooms || {}
  const room = rooms[panel.room]?.name || panel.room
  const tail = panel.surface ? panel.surface.split('/').pop() : null
  const wall = tail?.match(/^wall-(north|south|east|west)$/)
  const spot = !tail ? 'floating' : wall ? `${wall[1]} wall` : tail.replace(/-/g, ' ')
  return `${room} · ${spot}`
}

function mmss(seconds) {
  const s = Math.max(0, Math.floor(seconds))
  const hours = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = String(s % 60).padStart(2, '0')
  return hours ? `${hours}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`
}

export async function glassesMode(root, app) {
  const { live, catalog, hub } = app
  const time = h('span', { class: 'hud-clock' }, clock())
  const nearby = h('ul', { class: 'hud-list', id: 'nearby' })
  const notes = h('ul', { class: 'hud-list hud-notes', id: 'notifications' })
  const together = h('div', { class: 'hud-together', id: 'glasses-together' })
  const notifications = new Notifications(app)

  // Voice first: the talk button leads, typing is there for when speaking is not an option.
  const assistant = assistantBox({
    hub,
    compact: true,
    voiceFirst: true,
    examples: ["what's on the news?", 'turn off the floor lamp'],
    placeholder: 'Or type: “what’s on the news?”',
    context: () => ({}), // glasses share no pose yet: the hub answers for the home as a whole
  })

  const card = (title, glyph, body, extra = null) =>
    h('section', { class: 'hud-card' }, h('header', { class: 'hud-card-head' }, icon(glyph, 16), h('h2', {}, title), extra), body)

  root.replaceChildren(
    h('div', { class: 'app app-glasses' },
      topBar(app, [time], { kind: 'glasses' }),
      h('main', { class: 'hud-grid' },
        card('Assistant', 'mic', assistant),
        card('Playing nearby', 'live', [together, nearby]),
        card('Notifications', 'alert', notes))),
  )

  function renderNearby() {
    const s = live.snapshot
    const items = []
    const rooms = Object.keys(s.rooms || {})
    const panels = Object.values(s.panels || {}).sort((a, b) => rooms.indexOf(a.room) - rooms.indexOf(b.room) || String(b.created_at).localeCompare(String(a.created_at)))
    for (const p of panels) {
      const playback = s.playback?.[p.id]
      const kind = catalog.kind(p.content)
      let state = 'App'
      if (kind === 'channel' || kind === 'programme') {
        const now = catalog.nowOn(p.content)
        state = now ? `Live · ${now.title}` : 'Live'
      } else if (kind === 'vod') {
        state = playback ? `${playback.playing ? 'Playing' : 'Paused'} · ${mmss(livePosition(playback))}` : 'On demand'
      }
      items.push(h('li', { class: 'hud-item', dataset: { panel: p.id } },
        h('span', { class: `hud-dot ${kind === 'app' ? 'app' : playback?.playing === false ? 'paused' : kind === 'vod' ? 'vod' : 'on'}` }),
        h('div', { class: 'hud-text' }, h('strong', {}, catalog.title(p.content)), h('small', {}, `${where(app, p)} · ${state}`))))
    }
    for (const d of Object.values(s.devices || {})) {
      if (d.kind !== 'tv' || !d.state?.on) continue
      items.push(h('li', { class: 'hud-item' }, h('span', { class: 'hud-dot on' }),
        h('div', { class: 'hud-text' }, h('strong', {}, d.state.playing ? catalog.title(d.state.playing) : `${d.name} is on`), h('small', {}, `${d.name} · ${s.rooms?.[d.room]?.name || d.room}`))))
    }
    nearby.replaceChildren(...(items.length ? items : [h('li', { class: 'hud-empty muted' }, 'Nothing is playing. Ask for a channel.')]))
  }

  // --- what plays on these glasses, and their watch group -----------------------------
  const mine = app.device.xr || null // the XR device id this pairing is for (from /me)
  let sound = { ref: null, player: null }
  const along = mine ? new PlayAlong({ live, catalog, target: mine, token: hub.token, onChange: () => renderTogether() }) : null
  app.nowPlaying = () => ({
    ref: sound.ref, hasVideo: !!sound.player?.ready, currentTime: sound.player ? sound.player.video.currentTime : null,
    target: mine, group: along?.lines() || null, cowatch: !!along?.playingAlong,
  })

  function followOwn() {
    if (!along) return
    const session = live.snapshot.playback?.[mine] || null
    const ref = session && catalog.kind(session.content) !== 'app' ? session.content : null
    if (ref !== sound.ref) {
      sound.player?.destroy()
      const url = ref ? catalog.streamUrl(ref, hub.token) : null
      sound = { ref, player: url ? new Player(url, { live: catalog.kind(ref) !== 'vod' }) : null }
    }
    along.sync(sound.player, session)
    renderTogether()
  }

  let shownTogether = null
  function renderTogether() {
    const lines = along?.lines() || null
    const key = `${linesKey(lines)}|${sound.player?.video.muted}`
    if (key === shownTogether) return
    shownTogether = key
    if (!lines) return together.replaceChildren()
    const player = sound.player
    const mute = player ? h('button', { type: 'button', class: 'btn btn-ghost btn-small', id: 'glasses-sound', 'aria-pressed': String(!player.video.muted) }, player.video.muted ? 'Sound on' : 'Sound off') : null
    mute?.addEventListener('click', () => {
      player.setMuted(!player.video.muted)
      renderTogether()
    })
    together.replaceChildren(togetherBox(lines, {
      id: 'glasses-group', leaveId: 'glasses-leave', leaveTitle: 'Leave the watch group: the glasses play on by themselves',
      compact: true, actions: mute ? [mute] : [],
      onLeave: async () => {
        try {
          const out = await hub.action('cowatch.leave', { target: mine })
          if (out?.message) toast(out.message, 'ok', 2600)
        } catch (e) {
          toast(`Leave: ${e.message}`, 'error', 6000)
        }
      },
    }))
  }

  function renderNotes() {
    const items = notifications.items.slice(0, 6)
    notes.replaceChildren(...(items.length
      ? items.map((n) => h('li', { class: `hud-note ${n.kind}` }, h('span', {}, n.text), h('small', { class: 'muted' }, relativeTime(n.at))))
      : [h('li', { class: 'hud-empty muted' }, 'No news from the home.')]))
  }

  live.on('change', renderNearby)
  live.on('change', followOwn)
  notifications.on('add', renderNotes)
  renderNearby()
  renderNotes()
  followOwn()
  const timer = setInterval(() => {
    time.textContent = clock()
    renderNearby()
    renderNotes()
  }, 5000)
  return {
    destroy() {
      clearInterval(timer)
      along?.close()
      sound.player?.destroy()
    },
  }
}
