// Watching together (docs/cowatch.md): keep one <video> in step with everyone else playing
// the same target or watch group. The hub is the clock: this player estimates its offset to
// it (NTP-style pings), applies the group's timeline changes at the hub time they are
// scheduled for, reports where it is, and follows the hub's corrections (a playback rate
// within ±5 %, or a seek-then-wait landing when far off). Live channels align on the
// stream's wall-clock time (EXT-X-PROGRAM-DATE-TIME through hls.js), on-demand on position.
//
// No imports: the page gives the <video> and, for live HLS, the hls.js instance.

const CLOCK_WINDOW = 8
const REPORT_MS = 250
const PING_MS = 2000
const FIRST_PINGS = 6 // a quick burst on connecting: a good offset before the first alignment
const SETTLE_S = 0.6 // how far ahead an alignment aims, to give the seek time to land (adapts)
const READY_TIMEOUT_MS = 6000
const EARLIEST_MARGIN_S = 0.25 // land inside a young live stream's first fragment, not on its edge
const START_LEAD_S = 0.05 // Chromium's play() to a moving picture, measured here; then learnt per player

const localNow = () => (performance.timeOrigin + performance.now()) / 1000

export function positionAt(timeline, hubTime) {
  if (!timeline.playing) return timeline.position
  return timeline.position + (hubTime - timeline.anchor) * timeline.rate
}

export class CoWatch {
  /**
   * @param {string} url ws(s)://host/api/v1/cowatch/{home}?token=…&target=…
   * @param {HTMLVideoElement} video
   * @param {{hls?: any, onMembers?: Function, onState?: Function, reportMs?: number}} options
   */
  constructor(url, video, { hls = null, onMembers = () => {}, onState = () => {}, reportMs = REPORT_MS } = {}) {
    this.url = url
    this.video = video
    this.hls = hls
    this.onMembers = onMembers
    this.onState = onState
    this.reportMs = reportMs
    this.samples = []
    this.offset = 0
    this.roundTrip = null
    this.timelines = [] // [{at, timeline}], oldest first; the last one due is in force
    this.member = null
    this.correction = true
    this.members = []
    this.aligning = false
    this.settle = SETTLE_S
    this.startLead = START_LEAD_S
    this.closed = false
    this.log = [] // [[local wall time s, position]]: what was on screen when, for tests and the bench
    this._timeouts = new Set()
    this._intervals = []
    this._pdt = new Map() // live: discontinuity → stream wall-clock time minus media time (see _learnDate)
    this._cc = null // the discontinuity the picture on screen is in
    if (hls?.on) {
      hls.on('hlsFragBuffered', (_, data) => this._learnDate(data.frag, false))
      hls.on('hlsFragChanged', (_, data) => this._learnDate(data.frag, true))
    }
    this._connect()
  }

  // --- the hub's clock ---------------------------------------------------------------

  hubNow() {
    return localNow() + this.offset
  }

  _ping() {
    this._send({ type: 'ping', t0: localNow() })
  }

  _pong(m) {
    const t3 = localNow()
    const sample = { t0: m.t0, t1: m.t1, t2: m.t2, t3, rtt: Math.max(0, t3 - m.t0 - (m.t2 - m.t1)), offset: (m.t1 - m.t0 + (m.t2 - t3)) / 2 }
    this.samples.push(sample)
    if (this.samples.length > CLOCK_WINDOW) this.samples.shift()
    const best = this.samples.reduce((a, b) => (b.rtt < a.rtt ? b : a)) // the least room for an asymmetric link
    this.offset = best.offset
    this.roundTrip = best.rtt
    this._send({ type: 'clock', t0: sample.t0, t1: sample.t1, t2: sample.t2, t3 })
  }

  // --- where the player is -----------------------------------------------------------

  get live() {
    return !!this.current()?.live
  }

  /** Seconds into the title, or for live the stream's wall-clock time on screen. */
  position() {
    if (!this.live) return this.video.currentTime
    const offset = this._pdt.get(this._cc)
    if (offset != null) return this.video.currentTime + offset
    const date = this.hls?.playingDate
    return date ? date.getTime() / 1000 : null
  }

  /**
   * A fragment's wall-clock time (EXT-X-PROGRAM-DATE-TIME) against its measured media time.
   * Within one discontinuity the two differ by a constant, so once one fragment is measured
   * every frame maps exactly. hls.js's playingDate maps through the playing fragment's start
   * instead, which for the first fragment of a stream is the playlist's estimate, not a
   * measurement: there it is off by the audio encoder's priming (21 ms for AAC at 48 kHz),
   * enough to put a player that just joined a tenth of the error budget out of step.
   */
  _learnDate(frag, playing) {
    if (!frag || frag.programDateTime == null) return
    if (playing || this._cc == null) this._cc = frag.cc
    if (Number.isFinite(frag.startPTS) && frag.start > 0) this._pdt.set(frag.cc, frag.programDateTime / 1000 - frag.startPTS)
  }

  /** Move the picture by `delta` seconds of the timeline. */
  _shift(delta) {
    this.video.currentTime = Math.max(0, this.video.currentTime + delta)
  }

  current(hubTime = this.hubNow()) {
    let found = null
    for (const entry of this.timelines) if (entry.at <= hubTime) found = entry.timeline
    return found || this.timelines[0]?.timeline || null
  }

  // --- the connection ----------------------------------------------------------------

  _connect() {
    const ws = new WebSocket(this.url)
    this.ws = ws
    ws.onopen = () => {
      for (let i = 0; i < FIRST_PINGS; i++) this._later(() => this._ping(), i * 80)
      this._every(() => this._ping(), PING_MS)
      this._every(() => this._report(), this.reportMs)
    }
    ws.onmessage = (event) => this._receive(JSON.parse(event.data))
    ws.onclose = (event) => {
      this.closed = true
      this._clearTimers()
      this.onState({ state: 'closed', code: event.code, reason: event.reason })
    }
  }

  _send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message))
  }

  _receive(m) {
    if (m.type === 'welcome') {
      this.member = m.member
      this.correction = m.correction
      this.offset = m.hub_time - localNow() // a first guess until the pings answer
    } else if (m.type === 'pong') this._pong(m)
    else if (m.type === 'timeline') this._timeline(m)
    else if (m.type === 'correct') this._correct(m)
    else if (m.type === 'members') {
      this.members = m.members
      this.onMembers(m.members, m.group)
    } else if (m.type === 'ended') this.onState({ state: 'ended', reason: m.reason })
    else if (m.type === 'error') console.warn('twinspace cowatch:', m.detail)
  }

  // --- the timeline ------------------------------------------------------------------

  _timeline({ at, timeline }) {
    const previous = this.current(at)
    if (!this.correction) {
      // The baseline: act on arrival, start where the hub says the title is now, no corrections.
      this.timelines = [{ at: -Infinity, timeline }]
      this._naive(timeline)
      return
    }
    const now = this.hubNow()
    this.timelines = this.timelines.filter((e) => e.at < at)
    this.timelines.push({ at, timeline })
    const due = () => {
      const dueTimelines = this.timelines.filter((e) => e.at <= this.hubNow())
      if (dueTimelines.length > 1) this.timelines = this.timelines.slice(dueTimelines.length - 1)
      this._enter(timeline, previous)
    }
    if (at <= now) due()
    else this._later(due, (at - now) * 1000)
  }

  _enter(timeline, previous) {
    const v = this.video
    if (!timeline.playing) {
      v.pause()
      const here = this.position()
      if (here != null && Math.abs(here - timeline.position) > 0.02) this._shift(timeline.position - here)
      return
    }
    v.playbackRate = timeline.rate
    const jumped = previous && previous.playing && Math.abs(positionAt(previous, this.hubNow()) - positionAt(timeline, this.hubNow())) > 0.05
    if (v.paused || !previous || jumped) this.align()
  }

  _naive(timeline) {
    const v = this.video
    const here = this.position()
    const want = positionAt(timeline, this.hubNow())
    if (here != null && Math.abs(here - want) > 0.5) this._shift(want - here)
    if (timeline.playing) v.play().catch(() => {})
    else v.pause()
  }

  /** Land on the timeline: seek a little ahead, wait there until the timeline arrives, play. */
  async align() {
    if (this.aligning) return
    const v = this.video
    this.aligning = true
    try {
      await this._ready()
      const timeline = this.current()
      if (!timeline) return
      if (!timeline.playing) return this._enter(timeline, null)
      let target = positionAt(timeline, this.hubNow() + this.settle)
      v.pause()
      const here = this.position()
      if (here == null) return
      // A channel that started encoding moments ago has no picture yet for where the group's
      // timeline is (it runs behind the hub's clock): hold the oldest frame there is until the
      // timeline reaches it, rather than play from it early, ahead of everyone (and be told to
      // seek back, again and again).
      const earliest = this._earliest(here)
      if (earliest != null && target < earliest) target = earliest
      this._shift(target - here)
      await this._ready()
      // play() takes a moment to get the picture moving: start that much early (learnt below)
      const wait = (target - positionAt(this.current(), this.hubNow())) / timeline.rate - this.startLead
      if (wait > 0) await new Promise((resolve) => this._later(resolve, wait * 1000))
      else this.settle = Math.min(3, this.settle * 1.5) // the seek took longer than allowed: aim further next time
      v.playbackRate = timeline.rate
      await v.play().catch(() => {})
      // learn only from a start that took: a play() that left the picture paused (a frozen
      // decoder, autoplay refused) would teach the freeze, not the start
      if (wait > 0 && !v.paused) this._later(() => this._learnStart(), 400)
    } finally {
      this.aligning = false
    }
  }

  /** Live: the oldest position the stream still has (plus a margin inside its first fragment). */
  _earliest(here) {
    const v = this.video
    if (!this.live || !v.seekable || !v.seekable.length) return null
    return v.seekable.start(0) + (here - v.currentTime) + EARLIEST_MARGIN_S
  }

  /** After a landing: how far behind the timeline it started, folded into the next start's lead. */
  _learnStart() {
    const timeline = this.current()
    const here = this.position()
    if (!timeline || !timeline.playing || here == null || this.video.paused) return
    const error = here - positionAt(timeline, this.hubNow())
    if (Math.abs(error) < 0.25) this.startLead = Math.min(0.3, Math.max(0, this.startLead - error * 0.8))
  }

  _ready() {
    const v = this.video
    if (v.readyState >= 3 && !v.seeking && this.position() != null) return Promise.resolve()
    return new Promise((resolve) => {
      const started = performance.now()
      const check = () => {
        if ((v.readyState >= 3 && !v.seeking && this.position() != null) || performance.now() - started > READY_TIMEOUT_MS || this.closed) resolve()
        else setTimeout(check, 20)
      }
      check()
    })
  }

  _correct(m) {
    if (this.aligning) return
    if (m.seek) this.align()
    else if (!this.video.paused) this.video.playbackRate = m.rate
  }

  _report() {
    const position = this.position()
    if (position == null || !this.timelines.length) return
    const v = this.video
    const at = this.hubNow()
    this.log.push([localNow(), position])
    if (this.log.length > 2400) this.log.splice(0, 600)
    const advancing = !v.paused && !v.seeking && v.readyState >= 3
    this._send({ type: 'report', position, at, advancing, aligning: this.aligning })
  }

  // --- asking the group --------------------------------------------------------------

  play() { this._send({ type: 'play' }) }
  pause() { this._send({ type: 'pause' }) }
  seek(position) { this._send({ type: 'seek', position }) }
  /** This target leaves its watch group and plays on by itself. */
  leave() { this._send({ type: 'leave' }) }

  close() {
    this.closed = true
    this._clearTimers()
    if (this.ws) this.ws.close()
  }

  _later(fn, ms) {
    const id = setTimeout(() => {
      this._timeouts.delete(id)
      fn()
    }, Math.max(0, ms))
    this._timeouts.add(id)
  }

  _every(fn, ms) {
    this._intervals.push(setInterval(fn, ms))
  }

  _clearTimers() {
    for (const id of this._timeouts) clearTimeout(id)
    for (const id of this._intervals) clearInterval(id)
    this._timeouts.clear()
    this._intervals = []
  }
}
