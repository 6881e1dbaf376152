// ?mode=tv: the 10-foot UI — now playing, the guide (channels × now/next), continue
// watching and the assistant; arrow keys (a remote's D-pad) move between items. In a watch
// group the picture plays along with the group (../play-along.js) and now playing says who is
// watching together, with Leave.

import { formatClock, progressOf } from '../content.js'
import { Player, livePosition } from '../media.js'
import { PlayAlong } from '../play-along.js'
import { assistantBox } from '../ui/assistant.js'
import { topBar } from '../ui/chrome.js'
import { clock, h, icon, toast } from '../ui/dom.js'
import { linesKey, togetherBox } from '../ui/together.js'

function mins(seconds) {
  return `${Math.max(1, Math.round(seconds / 60))} min`
}

/** Spatial navigation: move focus to the nearest [data-nav] element in the arrow's direction. */
function dpad(root) {
  root.addEventListener('keydown', (event) => {
    const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }
    const dir = dirs[event.key]
    if (!dir || event.target.matches('input')) return
    const from = document.activeElement?.closest('[data-nav]')
    const all = [...root.querySelectorAll('[data-nav]')].filter((el) => el.offsetParent !== null)
    if (!from) {
      all[0]?.focus()
      event.preventDefault()
      return
    }
    const a = from.getBoundingClientRect()
    const ax = a.left + a.width / 2
    const ay = a.top + a.height / 2
    let best = null
    let bestScore = Infinity
    for (const el of all) {
      if (el === from) continue
      const b = el.getBoundingClientRect()
      const dx = b.left + b.width / 2 - ax
      const dy = b.top + b.height / 2 - ay
      const along = dx * dir[0] + dy * dir[1]
      if (along <= 4) continue
      const across = Math.abs(dx * dir[1]) + Math.abs(dy * dir[0])
      const score = along + across * 2.5
      if (score < bestScore) {
        bestScore = score
        best = el
      }
    }
    if (best) {
      best.focus()
      best.scrollIntoView({ block: 'nearest', inline: 'nearest' })
      event.preventDefault()
    }
  })
}

export async function tvMode(root, app) {
  const { live, catalog, hub } = app
  await catalog.load(app.homeModel)
  const time = h('span', { class: 'tv-clock' }, clock())
  const video = h('div', { class: 'tv-video', id: 'tv-video' })
  const heroTitle = h('h1', { class: 'tv-hero-title' })
  const heroMeta = h('p', { class: 'tv-hero-meta' })
  const heroBar = h('div', { class: 'tv-progress' }, h('i'))
  const together = h('div', { class: 'tv-together', id: 'tv-together' })
  const guide = h('div', { class: 'tv-guide', id: 'tv-guide', role: 'grid', 'aria-label': 'Guide' })
  const shelf = h('div', { class: 'tv-shelf', id: 'continue-watching' })
  const assistant = assistantBox({
    hub, compact: true, placeholder: 'Ask twinspace: “put the football on the TV”',
    examples: ["what's on the news?", 'play Arena Sports'], context: () => ({ room: tvRoom() || undefined }),
  })

  const tvDevice = () => Object.values(live.snapshot.devices || {}).find((d) => d.kind === 'tv') || null
  const tvRoom = () => tvDevice()?.room || Object.keys(live.snapshot.rooms || {})[0] || null
  let current = { ref: null, player: null, position: 0 }
  // this page is the TV's picture: in the TV's watch group it plays along as the TV
  const tvId = tvDevice()?.id || null
  const along = tvId ? new PlayAlong({ live, catalog, target: tvId, token: hub.token, onChange: () => renderTogether() }) : null
  app.nowPlaying = () => ({
    ref: current.ref, hasVideo: !!current.player?.ready, currentTime: current.player ? current.player.video.currentTime : null,
    target: tvId, group: along?.lines() || null, cowatch: !!along?.playingAlong,
  })

  /** Play along while the TV's session is grouped and this page shows what the TV plays. */
  function followGroup() {
    if (!along) return
    const session = live.snapshot.playback?.[tvId]
    along.follow(current.ref && session?.content === current.ref ? current.player : null)
    renderTogether()
  }

  let shownTogether = null
  function renderTogether() {
    const lines = along?.lines() || null
    const key = linesKey(lines)
    if (key === shownTogether) return
    shownTogether = key
    const hadFocus = together.contains(document.activeElement)
    together.replaceChildren(...(lines ? [togetherBox(lines, {
      id: 'tv-group', leaveId: 'tv-leave', leaveTitle: 'Leave the watch group: the TV plays on by itself', nav: true, onLeave: leaveGroup,
    })] : []))
    // the remote's focus stays on Leave while the members change, and lands on the guide once the TV left
    if (hadFocus) (together.querySelector('[data-nav]') || guide.querySelector('.playing') || guide.querySelector('[data-nav]'))?.focus({ preventScroll: true })
  }

  async function leaveGroup() {
    try {
      const out = await hub.action('cowatch.leave', { target: tvId })
      if (out?.message) toast(out.message, 'ok', 2600)
    } catch (e) {
      toast(`Leave: ${e.message}`, 'error', 6000)
    }
  }

  function play(ref, { position = 0, announce = false } = {}) {
    if (!ref) return
    if (current.ref !== ref) {
      current.player?.destroy()
      const url = catalog.streamUrl(ref, hub.token)
      current = { ref, player: url ? new Player(url, { live: catalog.kind(ref) !== 'vod' }) : null }
      video.replaceChildren(...(current.player ? [current.player.video] : [h('div', { class: 'tv-app' }, catalog.title(ref))]))
      if (current.player && position) current.player.seekTo(position)
    }
    renderHero()
    followGroup()
    if (announce) sendToTv(ref)
  }

  async function sendToTv(ref) {
    const tv = tvDevice()
    if (!tv || !(await hub.hasAction('playback.play'))) return
    try {
      await hub.action('playback.play', { content: ref, target: tv.id })
    } catch (e) {
      toast(e.message, 'error', 6000)
    }
  }

  function renderHero() {
    const ref = current.ref
    if (!ref) {
      heroTitle.textContent = 'Pick something to watch'
      heroMeta.textContent = 'Use the arrows and OK, or ask below.'
      heroBar.hidden = true
      return
    }
    const kind = catalog.kind(ref)
    const now = catalog.nowOn(ref)
    if (kind === 'channel' || kind === 'programme') {
      heroTitle.textContent = now?.title || catalog.title(ref)
      heroMeta.replaceChildren(h('span', { class: 'badge-live' }, 'LIVE'), ` ${catalog.title(kind === 'programme' ? `channel:${ref.split(':')[1].split('/')[0]}` : ref)}${now ? ` · ${formatClock(now.start)}–${formatClock(now.stop)}` : ''}`)
      const p = progressOf(now)
      heroBar.hidden = p == null
      heroBar.firstChild.style.width = `${Math.round((p || 0) * 100)}%`
    } else {
      heroTitle.textContent = catalog.title(ref)
      const v = catalog.vod.find((t) => t.ref === ref)
      heroMeta.textContent = [kind === 'vod' ? 'On demand' : 'App', v?.year, v?.rating ? `rated ${v.rating}` : null].filter(Boolean).join(' · ')
      heroBar.hidden = true
    }
  }

  function renderGuide() {
    const rows = catalog.guide.length ? catalog.guide : catalog.channels.map((c) => ({ channel: c, now: null, next: null }))
    if (!rows.length) {
      guide.replaceChildren(h('p', { class: 'muted tv-empty' }, 'The guide is not available on this hub yet.'))
      return
    }
    const head = h('div', { class: 'tv-guide-row tv-guide-head', role: 'row' }, h('span', {}, 'Channel'), h('span', {}, 'Now'), h('span', {}, 'Next'))
    const body = rows.map((row) => {
      const p = progressOf(row.now)
      const cell = h('button', { type: 'button', class: `tv-guide-row${current.ref === row.channel.ref ? ' playing' : ''}`, role: 'row', dataset: { nav: '', ref: row.channel.ref } },
        h('span', { class: 'tv-ch' }, h('b', {}, row.channel.number ?? ''), row.channel.name),
        h('span', { class: 'tv-now' }, h('strong', {}, row.now?.title || '—'), row.now ? h('small', {}, `${formatClock(row.now.start)}–${formatClock(row.now.stop)}`) : null, p != null ? h('span', { class: 'tv-mini-bar' }, h('i', { style: { width: `${Math.round(p * 100)}%` } })) : null),
        h('span', { class: 'tv-next' }, row.next ? h('strong', {}, row.next.title) : '—', row.next ? h('small', {}, formatClock(row.next.start)) : null))
      cell.addEventListener('click', () => {
        play(row.channel.ref, { announce: true })
        renderGuide()
      })
      return cell
    })
    guide.replaceChildren(head, ...body)
  }

  function renderShelf() {
    // where people left off first, then on-demand titles to start
    const resume = catalog.continueWatching.map((c) => ({ ...c, progress: c.duration ? c.position / c.duration : null, sub: c.duration ? `${mins(c.duration - c.position)} left` : 'Resume' }))
    const fresh = catalog.vod
      .filter((v) => !resume.some((c) => c.ref === v.ref))
      .map((v) => ({ ref: v.ref, title: v.title, position: 0, progress: null, sub: ['On demand', v.duration ? mins(v.duration) : null].filter(Boolean).join(' · ') }))
    const items = [...resume, ...fresh]
    shelf.previousElementSibling.textContent = resume.length || !fresh.length ? 'Continue watching' : 'On demand'
    if (!items.length) {
      shelf.replaceChildren(h('p', { class: 'muted tv-empty' }, 'Nothing to continue yet.'))
      return
    }
    shelf.replaceChildren(...items.slice(0, 4).map((c) => {
      const hue = [...c.title].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) % 360, 11)
      const card = h('button', { type: 'button', class: 'tv-card', dataset: { nav: '', ref: c.ref }, style: { '--hue': hue } },
        h('strong', {}, c.title), h('small', {}, c.sub),
        c.progress != null ? h('span', { class: 'tv-mini-bar' }, h('i', { style: { width: `${Math.round(c.progress * 100)}%` } })) : null)
      card.addEventListener('click', () => play(c.ref, { position: c.position, announce: true }))
      return card
    }))
  }

  root.replaceChildren(
    h('div', { class: 'app app-tv' },
      topBar(app, [time], { kind: 'tv' }),
      h('main', { class: 'tv-main' },
        h('section', { class: 'tv-hero' }, video, h('div', { class: 'tv-hero-text' }, h('span', { class: 'tv-kicker' }, icon('play', 14), 'Now playing'), heroTitle, heroMeta, heroBar, together)),
        h('section', { class: 'tv-side' }, h('h2', { class: 'tv-h2' }, 'Continue watching'), shelf),
        h('section', { class: 'tv-guide-wrap' }, h('h2', { class: 'tv-h2' }, 'Guide'), guide),
        h('section', { class: 'tv-assistant' }, assistant))),
  )
  dpad(root)

  // What to show first: what the TV is playing, else the newest panel's title, else channel one.
  const s = live.snapshot
  const tv = tvDevice()
  const newest = Object.values(s.panels || {}).filter((p) => catalog.kind(p.content) !== 'app').sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0]
  const first = (tv?.state?.on && tv.state.playing) || newest?.content || (catalog.guide[0] || {}).channel?.ref || catalog.channels[0]?.ref || null
  const playback = tv?.state?.playing ? s.playback?.[tv.id] : newest ? s.playback?.[newest.id] : null
  renderShelf()
  play(first, { position: playback ? livePosition(playback) : 0 })
  renderGuide()
  ;(guide.querySelector('.playing') || guide.querySelector('[data-nav]'))?.focus({ preventScroll: true })

  // Follow the TV when someone (the assistant, another device) changes what it plays.
  live.on('change', (snap) => {
    const d = Object.values(snap.devices || {}).find((x) => x.kind === 'tv')
    if (d?.state?.on && d.state.playing && d.state.playing !== current.ref) {
      play(d.state.playing, { position: livePosition(snap.playback?.[d.id]) })
      renderGuide()
    }
    followGroup()
  })
  const timer = setInterval(async () => {
    time.textContent = clock()
    renderHero()
  }, 15000)
  const guideTimer = setInterval(async () => {
    await catalog.refresh(app.homeModel)
    renderGuide()
    renderShelf()
  }, 5 * 60000)
  return {
    destroy() {
      clearInterval(timer)
      clearInterval(guideTimer)
      along?.close()
      current.player?.destroy()
    },
  }
}
