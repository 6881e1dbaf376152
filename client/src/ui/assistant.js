// The assistant box: type a request or hold the talk button and speak, watch the hub's events
// stream in, undo what it did, confirm what needs confirming, hear the reply.

import { ApiError } from '../api.js'
import { Emitter } from '../sync.js'
import { Voice } from '../voice.js'
import { clear, h, icon, toast } from './dom.js'

const EXAMPLES = ['put the football on the wall to my right', 'make it bigger', "what's on the news?", 'turn off the floor lamp']
const TAP_MS = 300 // a press shorter than this is a tap, not speech: it gets a hint instead of a turn
const TALK = {
  off: 'Voice is not available on this hub',
  idle: 'Hold to talk',
  starting: 'Opening the microphone…',
  listening: 'Listening… let go to send',
  handsfree: 'Listening: just speak',
  thinking: 'Thinking…',
  speaking: 'Speaking · hold to talk over it',
}
// What fits on the large (glasses) button; the full sentence is its accessible name.
const TALK_SHORT = { ...TALK, starting: 'Opening the mic…', listening: 'Listening…', handsfree: 'Listening', speaking: 'Speaking…' }
// Space is push-to-talk unless the focus is on something Space already means something for.
const SPACE_TAKEN = 'input, textarea, select, button, a[href], summary, [contenteditable], [role="button"], [role="row"], [role="tab"], [data-nav], dialog'

/**
 * @param {object} opts
 * @param {import('../api.js').Hub} opts.hub
 * @param {() => ({viewer?, room?, focus?})} opts.context  the viewer pose and focus at send time
 * @param {string} [opts.placeholder]
 * @param {boolean} [opts.compact]  glasses: only the latest turn is kept
 * @param {boolean} [opts.voiceFirst]  glasses: a large talk button (and hands-free) above the turns
 */
export function assistantBox({ hub, context, placeholder, compact = false, examples = null, onApplied = () => {}, voiceFirst = false, intercept = null }) {
  const log = h('ol', { class: 'turns', 'aria-live': 'polite', 'aria-label': 'Assistant conversation' })
  const input = h('input', {
    class: 'assistant-input', id: 'assistant-input', name: 'text', autocomplete: 'off', maxlength: 500,
    placeholder: placeholder || `Ask: “${EXAMPLES[0]}”`, 'aria-label': 'Ask the home assistant',
  })
  const send = h('button', { type: 'submit', class: 'btn btn-icon btn-primary', title: 'Send', 'aria-label': 'Send' }, icon('send'))
  const talkLabel = voiceFirst ? h('span', { class: 'ptt-label' }, TALK.idle) : null
  const ptt = h('button', {
    type: 'button', id: 'talk', class: `btn ptt ${voiceFirst ? 'ptt-large' : 'btn-icon'}`, disabled: true,
    title: 'Checking the hub for voice…', 'aria-label': TALK.idle, 'aria-pressed': 'false',
    dataset: { slot: 'push-to-talk', state: 'off' },
  }, icon('mic', voiceFirst ? 26 : 18), talkLabel)
  const handsFree = voiceFirst
    ? h('button', { type: 'button', id: 'hands-free', class: 'btn btn-secondary hands-free', disabled: true, 'aria-pressed': 'false',
      title: 'Listen all the time: a pause ends what you say' }, icon('live', 16), 'Hands-free')
    : null
  const form = h('form', { class: 'assistant-form' }, voiceFirst ? null : ptt, input, send)
  const [first, second] = examples || [EXAMPLES[0], EXAMPLES[1]]
  const empty = h('li', { class: 'turn-empty muted' }, voiceFirst ? 'Hold to talk and say ' : 'Try ', h('em', {}, `“${first}”`), ' or ', h('em', {}, `“${second}”`), '.')
  log.append(empty)
  const box = h('section', { class: `assistant${compact ? ' compact' : ''}${voiceFirst ? ' voice-first' : ''}`, 'aria-label': 'Assistant' },
    voiceFirst ? h('div', { class: 'voice-bar' }, ptt, handsFree) : null, log, form)

  let busy = false

  const scrollDown = () => (log.scrollTop = log.scrollHeight)

  /** A turn in the log: what the person said ("you") and the events it got. */
  function newTurn(text, { confirm = false, spoken = false } = {}) {
    empty.remove()
    if (compact) log.replaceChildren()
    const t = { text, spoken, confirm, you: h('div', { class: 'turn-you' }), events: h('ul', { class: 'turn-events' }), thinking: null, reply: null }
    t.li = h('li', { class: `turn${spoken ? ' turn-spoken' : ''}` }, t.you, t.events)
    say(t, text)
    log.append(t.li)
    scrollDown()
    return t
  }

  /** The "you" line: final text, or (while the person speaks) the transcript so far. */
  function say(t, text, { heard = false } = {}) {
    t.you.classList.toggle('hearing', heard)
    clear(t.you,
      t.spoken ? icon('mic', 14) : null,
      heard && !text ? h('span', { class: 'hearing-hint' }, 'Listening…') : text,
      t.confirm ? h('span', { class: 'chip chip-soft' }, 'confirmed') : null)
    scrollDown()
  }

  function think(t) {
    if (t.thinking) return
    t.thinking = h('li', { class: 'event event-thinking' }, h('span', { class: 'dots' }, h('i'), h('i'), h('i')), 'Thinking')
    t.events.prepend(t.thinking)
    scrollDown()
  }

  function unthink(t) {
    t.thinking?.remove()
    t.thinking = null
  }

  /** One of the hub's assistant events, typed or spoken alike. */
  function show(event, t) {
    render(event, t.events, t.text)
    if (event.type === 'applied') onApplied(event)
    scrollDown()
  }

  async function run(text, { confirm = false } = {}) {
    if (busy) return
    if (intercept?.(text)) return // a request this device does itself (the headset's "scan the room")
    busy = true
    send.disabled = true
    const t = newTurn(text, { confirm })
    think(t)
    const started = performance.now()
    let gotDone = false
    try {
      await hub.assistant(text, { ...context(), confirm }, (event) => {
        show(event, t)
        if (event.type === 'done') gotDone = true
      })
    } catch (e) {
      t.events.append(h('li', { class: 'event event-refused' }, icon('alert', 14), e instanceof ApiError ? e.message : String(e)))
    } finally {
      unthink(t)
      if (!gotDone) t.events.append(h('li', { class: 'event event-meta muted' }, `${Math.round(performance.now() - started)} ms`))
      busy = false
      send.disabled = false
      scrollDown()
    }
  }

  function render(event, events, text) {
    const type = event.type
    if (type === 'understood') {
      if (event.commands) events.append(h('li', { class: 'event event-understood', title: 'What the assistant understood' }, h('code', {}, event.commands)))
      return
    }
    if (type === 'applied') {
      const undo = h('button', { type: 'button', class: 'btn btn-ghost btn-small', title: 'Undo the last change' }, icon('undo', 14), 'Undo')
      undo.addEventListener('click', async () => {
        undo.disabled = true
        try {
          const out = await hub.undo()
          undo.replaceChildren(icon('check', 14), 'Undone')
          toast(out.message || 'Undone', 'ok')
        } catch (e) {
          undo.disabled = false
          toast(e.message, 'error')
        }
      })
      events.append(h('li', { class: 'event event-applied', dataset: { action: event.action || '' } },
        icon('check', 14), h('span', { class: 'event-text' }, event.message || event.action), undo))
      return
    }
    if (type === 'pending') {
      const confirmBtn = h('button', { type: 'button', class: 'btn btn-primary btn-small' }, 'Confirm')
      const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-small' }, 'Cancel')
      const row = h('li', { class: 'event event-pending' }, icon('alert', 14),
        h('span', { class: 'event-text' }, event.message || `${event.action} needs your confirmation`), confirmBtn, cancel)
      confirmBtn.addEventListener('click', () => {
        confirmBtn.disabled = cancel.disabled = true
        run(text, { confirm: true })
      })
      cancel.addEventListener('click', () => {
        confirmBtn.disabled = cancel.disabled = true
        row.classList.add('dismissed')
      })
      events.append(row)
      return
    }
    if (type === 'refused') {
      events.append(h('li', { class: 'event event-refused' }, icon('alert', 14), h('span', { class: 'event-text' }, event.message)))
      return
    }
    if (type === 'answer') {
      events.append(h('li', { class: 'event event-answer' }, h('span', { class: 'event-text' }, event.message)))
      return
    }
    if (type === 'done') {
      const seconds = typeof event.seconds === 'number' ? `${Math.round(event.seconds * 1000)} ms` : ''
      events.append(h('li', { class: 'event event-meta muted' }, seconds))
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = input.value.trim()
    if (!text) return
    input.value = ''
    run(text)
  })

  // --- voice: hold to talk (pointer, Space, or Enter/Space on the button); hands-free on glasses ---
  let voice = null
  let held = null // {how: 'pointer' | 'key', at, failed} while the talk button is held
  let hearing = null // the turn being spoken
  const heard = [] // turns let go of whose transcript is still due, oldest first
  let answering = null // the turn whose assistant events are arriving
  let spoken = null // the last spoken turn that got an answer: the reply audio is its
  let speaking = null // the reply row being played
  let lastError = { message: '', at: 0 }
  let blocked = '' // why the microphone cannot be used (denied, missing), until it works again
  let whereTimer = null
  // Push-to-talk from where this box is out of sight (a headset's controller): the same hold as the
  // button's. Events for that place to show: `state` (the button's data-state), `said` (the
  // transcript), `reply` (what the assistant answered), `notice` (a hint or a failure, in words).
  const talk = new Emitter()
  talk.state = 'off'
  talk.press = (how = 'remote') => {
    if (!voice) talk.emit('notice', TALK.off) // the talk button says so by being disabled; elsewhere, say it
    return press(how)
  }
  talk.release = (how = 'remote') => release(how)
  talk.warm = () => voice?.warm({ audio: true }) // from a gesture (entering the headset): audio may start later

  function renderTalk() {
    const s = voice?.status
    const hands = !!s?.handsFree
    // Held, the button is pressed at once; it says "listening" only once the microphone runs.
    // Let go, it is released at once, though the last moment of speech is still being sent.
    const listening = held ? s?.listening : s?.listening && hands
    const state = !voice ? 'off' : held && !s?.listening ? 'starting' : listening ? 'listening'
      : s?.speaking ? 'speaking' : s?.thinking || s?.listening ? 'thinking' : 'idle'
    const label = state === 'listening' && !held ? TALK.handsfree : TALK[state]
    ptt.dataset.state = blocked && state === 'idle' ? 'blocked' : state
    if (talk.state !== ptt.dataset.state) talk.emit('state', (talk.state = ptt.dataset.state))
    ptt.setAttribute('aria-pressed', String(!!held))
    ptt.setAttribute('aria-label', label)
    ptt.title = blocked && state === 'idle' ? blocked : voice ? `${label} (or hold Space)` : ptt.title
    if (talkLabel) talkLabel.textContent = state === 'listening' && !held ? TALK_SHORT.handsfree : TALK_SHORT[state]
    if (handsFree) handsFree.setAttribute('aria-pressed', String(hands))
    if (speaking && !s?.speaking) {
      speaking.classList.remove('playing')
      speaking.querySelector('.event-text').textContent = speaking.dataset.stopped ? 'Reply stopped' : 'Reply spoken'
      speaking.querySelector('button')?.remove()
      speaking = null
    }
  }

  /** The turn being spoken now, made on the first sign of speech. */
  function hear() {
    if (!hearing) {
      hearing = newTurn('', { spoken: true })
      say(hearing, '', { heard: true })
    }
    return hearing
  }

  function dropTurn(t) {
    t.li.remove()
    if (!log.querySelector('.turn')) log.replaceChildren(empty)
  }

  /** A voice failure: said once, and written into the turns it cut short (all of them when the socket went). */
  function failed(e, turns = [hearing, ...heard.splice(0), answering]) {
    const now = performance.now()
    if (e.message !== lastError.message || now - lastError.at > 2000) {
      toast(e.message, 'error', 8000)
      talk.emit('notice', e.message)
    }
    lastError = { message: e.message, at: now }
    if (['mic-denied', 'no-mic', 'mic-busy', 'insecure', 'audio'].includes(e.code)) blocked = e.message
    for (const turn of turns) {
      if (!turn || turn.failed) continue
      turn.failed = true
      unthink(turn)
      if (!turn.text) say(turn, '…')
      turn.events.append(h('li', { class: 'event event-refused' }, icon('alert', 14), h('span', { class: 'event-text' }, e.message)))
    }
    if (turns.includes(hearing)) hearing = null
    if (turns.includes(answering)) answering = null
    renderTalk()
  }

  async function press(how) {
    if (held || !voice || ptt.disabled) return
    const hold = (held = { how, at: performance.now(), failed: false })
    if (voice.handsFree) stopHandsFree()
    if (speaking) speaking.dataset.stopped = 'true' // talking over the reply stops it
    renderTalk()
    try {
      await voice.start({ endpointing: 'manual' })
      blocked = ''
    } catch (e) {
      hold.failed = true
      if (held === hold) held = null
      failed(e, [hearing]) // the earlier turns are the socket's to report, if it went
    }
    renderTalk()
  }

  function release(how) {
    const hold = held
    if (!hold || hold.how !== how) return
    held = null
    const t = hearing
    if (hold.failed) {
      // start() said why
    } else if (!voice.listening) {
      voice.cancel() // let go before the microphone opened (a permission prompt, say): nothing was said
    } else if (performance.now() - hold.at < TAP_MS) {
      voice.cancel()
      if (t) dropTurn(t)
      hearing = null
      toast('Hold the button while you speak, then let go.', 'info', 3000)
      talk.emit('notice', 'Hold the button while you speak, then let go.')
    } else {
      if (t) {
        heard.push(t)
        think(t)
        hearing = null
      }
      voice.stop()
    }
    renderTalk()
  }

  async function startHandsFree() {
    if (!voice || voice.handsFree) return
    try {
      await voice.start({ endpointing: 'vad' })
      blocked = ''
      whereTimer = setInterval(() => voice.where(), 2000)
    } catch (e) {
      failed(e)
    }
    renderTalk()
  }

  function stopHandsFree() {
    clearInterval(whereTimer)
    if (voice?.handsFree) voice.stop()
    renderTalk()
  }

  function enableVoice() {
    voice = new Voice(hub.device, { context })
    voice.on('state', (s) => {
      // push-to-talk: the turn shows as soon as the microphone really listens
      if (s.listening && !s.handsFree && held && !hearing) hear()
      if (!s.handsFree) clearInterval(whereTimer)
      renderTalk()
    })
    voice.on('speech_start', () => {
      if (!heard.length) hear()
    })
    voice.on('partial', (text) => {
      const t = heard[0] || hear()
      say(t, text, { heard: true })
    })
    voice.on('final', ({ text }) => {
      text = (text || '').trim()
      let t = heard.shift() || hearing
      if (t === hearing) hearing = null
      if (!t && !text) return // hands-free: a noise, not a turn
      t ||= newTurn('', { spoken: true })
      if (!text) {
        unthink(t)
        say(t, '…')
        t.events.append(h('li', { class: 'event event-meta muted' }, 'Nothing heard. Hold the button while you speak.'))
        talk.emit('notice', 'Nothing heard')
        return
      }
      t.text = text
      say(t, text)
      talk.emit('said', text)
      think(t)
      answering = spoken = t
    })
    voice.on('event', (event) => {
      const t = answering
      if (!t) return
      show(event, t)
      if (event.type === 'done') {
        unthink(t)
        answering = null
        if (event.reply) talk.emit('reply', event.reply)
      }
    })
    voice.on('reply_start', (message) => {
      const t = answering || spoken
      const stop = h('button', { type: 'button', class: 'btn btn-ghost btn-small', title: 'Stop speaking' }, 'Stop')
      stop.addEventListener('click', () => {
        if (speaking) speaking.dataset.stopped = 'true'
        voice.stopSpeaking()
      })
      speaking = h('li', { class: 'event event-reply playing', title: message.text || '', dataset: { audioMs: '0' } },
        icon('volume', 14), h('span', { class: 'event-text' }, 'Speaking'), stop)
      t?.events.append(speaking)
      scrollDown()
    })
    voice.on('reply_audio', ({ ms }) => {
      if (speaking) speaking.dataset.audioMs = String(Math.round(ms))
    })
    voice.on('barge_in', () => {
      if (speaking) speaking.dataset.stopped = 'true'
      renderTalk()
    })
    voice.on('error', (e) => failed(e))
    ptt.disabled = false
    if (handsFree) handsFree.disabled = false
    renderTalk()
    if (voiceFirst) {
      // Glasses: the talk button is the one control, so Enter or Space works at once, and the
      // socket opens now (the hub loads its speech models) rather than under the first words.
      voice.warm()
      if (document.activeElement === document.body || !document.activeElement) ptt.focus({ preventScroll: true })
    }
  }

  ptt.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return
    ptt.setPointerCapture?.(event.pointerId) // a finger that slides off still holds
    press('pointer')
  })
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) ptt.addEventListener(type, () => release('pointer'))
  for (const type of ['pointerenter', 'focus']) ptt.addEventListener(type, () => voice?.warm()) // about to talk
  ptt.addEventListener('contextmenu', (event) => event.preventDefault()) // a long press is talking, not a menu
  document.addEventListener('keydown', (event) => {
    if (!voice || ptt.disabled || !box.isConnected || event.ctrlKey || event.metaKey || event.altKey) return
    const onTalk = event.target === ptt
    if (!(event.key === ' ' || (onTalk && event.key === 'Enter'))) return
    if (!onTalk && event.target instanceof Element && event.target.closest(SPACE_TAKEN)) return
    event.preventDefault()
    if (!event.repeat) press('key')
  })
  document.addEventListener('keyup', (event) => {
    if (held?.how !== 'key' || (event.key !== ' ' && event.key !== 'Enter')) return
    event.preventDefault()
    release('key')
  })
  window.addEventListener('blur', () => held && release(held.how)) // the key-up would never come
  handsFree?.addEventListener('click', () => (voice?.handsFree ? stopHandsFree() : startHandsFree()))
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden || !voice) return
    if (held) release(held.how)
    stopHandsFree()
  })
  window.addEventListener('pagehide', () => voice?.close())

  // Voice needs the hub's speech routes; their HTTP half is in its OpenAPI document.
  Promise.all([hub.has('/v1/audio/transcriptions'), hub.has('/v1/audio/speech')]).then(([asr, tts]) => {
    if (asr || tts) return enableVoice()
    ptt.title = TALK.off
    if (handsFree) handsFree.title = TALK.off
  })

  box.ask = run
  box.talk = talk
  box.focusInput = () => input.focus()
  return box
}
