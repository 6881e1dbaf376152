// The hub's streaming voice connection (docs/voice.md): one WebSocket per device that carries any
// number of turns. Microphone in (16 kHz mono s16le, ~40 ms binary frames, from pcm-worklet.js);
// the transcript, the assistant's events and the spoken reply out, the reply played gaplessly.

import { Emitter } from './sync.js'

const WORKLET = new URL('./pcm-worklet.js', import.meta.url)
const RATE = 16000
const FRAME_MS = 40
const TAIL_MS = 150 // keep sending a moment after release: people let go on their last syllable
const KEEP_MIC_MS = 20000 // the microphone stays open between turns in quick succession, then is released
const READY_MS = 60000 // the hub loads its speech models for the first connection
const LEAD_S = 0.08 // reply audio starts this far ahead, so later chunks join it without a gap
const MAX_PENDING = Math.round(30000 / FRAME_MS) // frames kept while the socket opens (30 s)

export class VoiceError extends Error {
  constructor(code, message) {
    super(message)
    this.code = code
  }
}

/** What a getUserMedia failure means for the person holding the button. */
function micError(e) {
  const name = e?.name || ''
  if (name === 'NotAllowedError' || name === 'PermissionDeniedError' || name === 'SecurityError') {
    return new VoiceError('mic-denied', 'Microphone access is blocked. Allow the microphone for this site in the browser, then hold to talk again.')
  }
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError') {
    return new VoiceError('no-mic', 'No microphone was found. Connect one, or type your request instead.')
  }
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') {
    return new VoiceError('mic-busy', 'The microphone could not be opened: another app may be using it.')
  }
  return new VoiceError('mic', `The microphone could not be opened: ${e?.message || e}`)
}

function closeError(event) {
  if (event.code === 4401) return new VoiceError('unpaired', 'The hub did not accept this device for voice. Pair it again.')
  if (event.code === 4404) return new VoiceError('gone', 'This home no longer exists on the hub.')
  if (event.code === 4400) return new VoiceError('refused', `The hub refused a voice message${event.reason ? `: ${event.reason}` : ''}.`)
  return new VoiceError('closed', 'The voice connection to the hub closed. Hold to talk to try again.')
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * Events: `state` ({listening, thinking, speaking, handsFree}), `speech_start`, `partial` (text),
 * `final` ({text, audio_ms, asr_ms}), `event` (the assistant's: understood, applied, pending,
 * refused, answer, done), `reply_start` (message), `reply_audio` ({frames, ms}), `reply_end`,
 * `barge_in`, `error` (VoiceError).
 */
export class Voice extends Emitter {
  /**
   * @param {{token: string}} device  the paired device (its token authenticates the socket)
   * @param {{context?: () => ({viewer?, room?, focus?})}} opts  where the speaker is, read at each turn
   */
  constructor(device, { context = () => ({}) } = {}) {
    super()
    this.device = device
    this.context = context
    this.ws = null
    this.ready = null // the open socket once the hub said `ready`
    this.audio = null // one AudioContext for capture and playback
    this.mic = null // {stream, source, node}
    this.worklet = null
    this.turn = null // {endpointing, started, ending, cancelled}
    this.capturing = false // microphone frames are meant for the hub
    this.live = false // ... and the hub has had this turn's hello: frames go straight out
    this.pending = []
    this.thinking = false // a turn was sent; its transcript or answer is due
    this.reply = null // {rate, open, carry, frames, ms} while the hub sends a reply
    this.sources = new Set() // scheduled reply buffers
    this.playhead = 0
    this.releaseTimer = null
    this.status = { listening: false, thinking: false, speaking: false, handsFree: false }
    this.flushed = null
  }

  get listening() {
    return this.capturing
  }

  get speaking() {
    return this.sources.size > 0 || !!this.reply?.open
  }

  get handsFree() {
    return this.turn?.endpointing === 'vad'
  }

  /** Start listening: push-to-talk (`manual`, ended by stop()) or hands-free (`vad`, until stop()). */
  start({ endpointing = 'manual' } = {}) {
    if (this.turn && !this.turn.ending) return this.turn.started
    // A new turn silences the old reply at once (and tells the hub, if it is still sending).
    this.stopSpeaking()
    this._audioContext() // within the press: browsers start audio only from a gesture
    // Pressed again while the last turn's tail is still being sent: end that one first, now.
    const previous = this.turn
    previous?.cutTail?.()
    const turn = { endpointing, ending: false, cancelled: false, started: null, finished: null, cutTail: null }
    this.turn = turn
    turn.started = (async () => {
      const socket = this._connect()
      await previous?.finished
      await this._openMic()
      if (turn.cancelled) return
      this.pending = []
      this.capturing = true
      this.live = false
      this._state()
      const ws = await socket
      if (turn.cancelled) return
      const where = this._where()
      this.lastWhere = JSON.stringify(where)
      this._send({ type: 'hello', endpointing, ...where })
      for (const frame of this.pending) ws.send(frame)
      this.pending = []
      this.live = true
    })()
    turn.started.catch(() => {
      if (this.turn === turn) this.turn = null
      this.capturing = this.live = false
      this.pending = []
      this._state()
      this._releaseSoon()
    })
    return turn.started
  }

  /** Release: the utterance ends now (after a short tail) and the hub answers it. */
  stop() {
    const turn = this.turn
    if (!turn) return Promise.resolve()
    if (turn.ending) return turn.finished
    turn.ending = true
    turn.finished = (async () => {
      try {
        await turn.started
      } catch {
        return // start() failed and said why
      }
      if (turn.cancelled) return
      if (turn.endpointing === 'manual') await new Promise((resolve) => ((turn.cutTail = resolve), setTimeout(resolve, TAIL_MS)))
      await this._flush()
      if (turn.cancelled) return
      if (this.turn === turn) this.turn = null
      this.capturing = this.live = false
      this._send({ type: 'end' })
      if (turn.endpointing === 'manual') this.thinking = true
      this._state()
      this._releaseSoon()
    })()
    return turn.finished
  }

  /** Drop the utterance being heard and any reply (a turn already sent is still answered). */
  cancel() {
    const turn = this.turn
    if (turn) {
      turn.cancelled = true
      this.turn = null
    }
    const wasLive = this.live
    this.capturing = this.live = false
    this.pending = []
    const speaking = this.speaking
    this._stopPlayback()
    if (wasLive || speaking) this._send({ type: 'cancel' })
    this._state()
    this._releaseSoon()
  }

  /** Stop the spoken reply now; the hub is told when it is still sending or it still plays. */
  stopSpeaking() {
    if (!this.speaking) return
    this._stopPlayback()
    this._send({ type: 'cancel' })
    this._state()
  }

  /**
   * Open the socket ahead of the first turn (a pointer over the talk button): the hub loads its models.
   * `audio`: only from a gesture (a click), whose user activation lets the AudioContext start, for
   * turns begun where there is none (a headset's squeeze may not count as one).
   */
  warm({ audio = false } = {}) {
    if (audio) this._audioContext()
    this._connect()
  }

  /** Tell the hub where the speaker is now, if that changed (hands-free: people move between turns). */
  where() {
    if (!this.live) return
    const where = this._where()
    const key = JSON.stringify(where)
    if (key === this.lastWhere) return
    this.lastWhere = key
    this._send({ type: 'hello', endpointing: this.turn?.endpointing || 'manual', ...where })
  }

  close() {
    this.cancel()
    this._releaseMic()
    const ws = this.ws
    this.ws = null
    this.ready = null
    ws?.close(1000)
    this.audio?.close().catch(() => {})
    this.audio = null
    this.worklet = null
  }

  // --- the socket ------------------------------------------------------------------------------

  _connect() {
    if (this.ready) return this.ready
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const ws = new WebSocket(`${scheme}://${location.host}/v1/assistant/voice?token=${encodeURIComponent(this.device.token)}`)
    ws.binaryType = 'arraybuffer'
    this.ws = ws
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new VoiceError('timeout', 'The hub did not answer the voice connection.'))
        ws.close()
      }, READY_MS)
      this.onReady = () => {
        clearTimeout(timer)
        resolve(ws)
      }
      ws.addEventListener('close', (event) => {
        clearTimeout(timer)
        reject(closeError(event))
      })
    })
    this.ready.catch(() => {}) // whoever awaits it reports the failure
    ws.addEventListener('message', (event) => this._message(event.data))
    ws.addEventListener('close', (event) => this._closed(ws, event))
    return this.ready
  }

  _send(message) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message))
  }

  _where() {
    // only what is known: the hub checks every field it is given
    const { viewer, room, focus } = this.context() || {}
    const out = {}
    if (viewer && Array.isArray(viewer.position)) out.viewer = { position: viewer.position, yaw_deg: viewer.yaw_deg ?? 0 }
    if (room) out.room = room
    if (focus) out.focus = focus
    return out
  }

  _closed(ws, event) {
    if (this.ws !== ws) return
    this.ws = null
    this.ready = null
    // A turn still waiting for the socket hears of it from start(); one the hub had is reported here.
    const busy = this.live || this.thinking || !!this.reply?.open
    if (this.turn) {
      this.turn.cancelled = true
      this.turn = null
    }
    this.capturing = this.live = false
    this.thinking = false
    if (this.reply) this.reply.open = false // what is queued still plays
    this._state()
    this._releaseSoon()
    if (busy) this.emit('error', closeError(event))
  }

  _message(data) {
    if (typeof data !== 'string') return this._replyAudio(data)
    let msg
    try {
      msg = JSON.parse(data)
    } catch {
      return
    }
    switch (msg.type) {
      case 'ready':
        this.info = msg
        this.onReady?.()
        return
      case 'speech_start':
        this.emit('speech_start')
        return
      case 'partial':
        this.emit('partial', msg.text || '')
        return
      case 'final':
        this.thinking = !!(msg.text || '').trim() // an empty utterance gets no turn
        this.emit('final', msg)
        break
      case 'reply_start':
        this.reply = { rate: msg.sample_rate || this.info?.reply_sample_rate || 22050, open: true, carry: null, frames: 0, ms: 0 }
        this.emit('reply_start', msg)
        break
      case 'reply_end':
        if (this.reply) this.reply.open = false
        this.emit('reply_end')
        break
      case 'barge_in':
        this._stopPlayback()
        this.emit('barge_in')
        break
      case 'error':
        this.thinking = false
        this.emit('error', new VoiceError('hub', msg.detail || 'The hub could not use that audio.'))
        break
      default:
        if (msg.type === 'done') this.thinking = false
        this.emit('event', msg)
    }
    this._state()
  }

  // --- the microphone ------------------------------------------------------------------------------

  _audioContext() {
    if (!this.audio) this.audio = new AudioContext({ latencyHint: 'interactive' })
    if (this.audio.state === 'suspended') this.audio.resume().catch(() => {})
    return this.audio
  }

  async _openMic() {
    clearTimeout(this.releaseTimer)
    if (this.mic) return
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new VoiceError('insecure', window.isSecureContext
        ? 'This browser cannot record audio.'
        : 'Voice needs https:// or localhost: browsers give the microphone only to secure pages.')
    }
    let stream
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } })
    } catch (e) {
      throw micError(e)
    }
    const ctx = this._audioContext()
    try {
      this.worklet ||= ctx.audioWorklet.addModule(WORKLET)
      await this.worklet
    } catch (e) {
      this.worklet = null
      for (const track of stream.getTracks()) track.stop()
      throw new VoiceError('audio', `This browser could not start audio capture: ${e.message || e}`)
    }
    const source = ctx.createMediaStreamSource(stream)
    // mono by the graph's own down-mix; one (silent) output keeps the node pulled in every browser
    const node = new AudioWorkletNode(ctx, 'pcm-16k', {
      numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1],
      channelCount: 1, channelCountMode: 'explicit', channelInterpretation: 'speakers',
      processorOptions: { rate: RATE, frameMs: FRAME_MS },
    })
    node.port.onmessage = ({ data }) => (data === 'flushed' ? this.flushed?.() : this._frame(data))
    source.connect(node)
    node.connect(ctx.destination)
    const track = stream.getAudioTracks()[0]
    track?.addEventListener('ended', () => {
      if (this.mic?.stream !== stream) return
      const busy = this.capturing
      this.cancel()
      this._releaseMic()
      if (busy) this.emit('error', new VoiceError('mic-gone', 'The microphone was disconnected.'))
    })
    this.mic = { stream, source, node }
  }

  _frame(bytes) {
    if (!this.capturing) return
    if (this.live && this.ws?.readyState === WebSocket.OPEN) this.ws.send(bytes)
    else if (this.pending.length < MAX_PENDING) this.pending.push(bytes)
  }

  /** The worklet's last partial frame, so `end` follows every sample. */
  _flush() {
    if (!this.mic) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.flushed = null
        resolve()
      }
      const timer = setTimeout(done, 250)
      this.flushed = done
      this.mic.node.port.postMessage('flush')
    })
  }

  _releaseSoon() {
    clearTimeout(this.releaseTimer)
    if (this.turn) return
    this.releaseTimer = setTimeout(() => this._releaseMic(), KEEP_MIC_MS)
  }

  _releaseMic() {
    clearTimeout(this.releaseTimer)
    const mic = this.mic
    if (!mic) return
    this.mic = null
    mic.node.port.postMessage('stop')
    mic.source.disconnect()
    mic.node.disconnect()
    for (const track of mic.stream.getTracks()) track.stop()
  }

  // --- the spoken reply ------------------------------------------------------------------------

  _replyAudio(data) {
    const reply = this.reply
    if (!reply?.open) return // a reply that was stopped: what is still in flight is dropped
    let bytes = new Uint8Array(data)
    if (reply.carry !== null) {
      const joined = new Uint8Array(bytes.length + 1)
      joined[0] = reply.carry
      joined.set(bytes, 1)
      bytes = joined
      reply.carry = null
    }
    if (bytes.length % 2) {
      reply.carry = bytes[bytes.length - 1]
      bytes = bytes.subarray(0, bytes.length - 1)
    }
    const n = bytes.length / 2
    if (!n) return
    const ctx = this._audioContext()
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const buffer = ctx.createBuffer(1, n, reply.rate)
    const out = buffer.getChannelData(0)
    for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true) / 32768
    const source = ctx.createBufferSource()
    source.buffer = buffer
    source.connect(ctx.destination)
    // Each chunk starts where the previous one ends; after a gap (or at first) a little ahead.
    if (this.playhead < ctx.currentTime + 0.01) this.playhead = ctx.currentTime + LEAD_S
    source.start(this.playhead)
    this.playhead += buffer.duration
    this.sources.add(source)
    source.onended = () => {
      this.sources.delete(source)
      this._state()
    }
    reply.frames += 1
    reply.ms += (n / reply.rate) * 1000
    this.emit('reply_audio', { frames: reply.frames, ms: reply.ms })
    this._state()
  }

  _stopPlayback() {
    for (const source of this.sources) {
      source.onended = null
      try {
        source.stop()
      } catch {
        /* not started yet */
      }
      source.disconnect()
    }
    this.sources.clear()
    this.playhead = 0
    if (this.reply) this.reply.open = false
  }

  _state() {
    const state = { listening: this.capturing, thinking: this.thinking, speaking: this.speaking, handsFree: this.handsFree }
    if (Object.keys(state).every((k) => state[k] === this.status[k])) return
    this.status = state
    this.emit('state', state)
  }
}
