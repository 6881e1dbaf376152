// The assistant box: type a request, watch the hub's events stream in, undo what it did,
// confirm what needs confirming. A push-to-talk slot is ready for voice.

import { ApiError } from '../api.js'
import { h, icon, toast } from './dom.js'

const EXAMPLES = ['put the football on the wall to my right', 'make it bigger', "what's on the news?", 'turn off the floor lamp']

/**
 * @param {object} opts
 * @param {import('../api.js').Hub} opts.hub
 * @param {() => ({viewer?, room?, focus?})} opts.context  the viewer pose and focus at send time
 * @param {string} [opts.placeholder]
 * @param {boolean} [opts.compact]  glasses: only the latest turn is kept
 */
export function assistantBox({ hub, context, placeholder, compact = false, examples = null, onApplied = () => {} }) {
  const log = h('ol', { class: 'turns', 'aria-live': 'polite', 'aria-label': 'Assistant conversation' })
  const input = h('input', {
    class: 'assistant-input', id: 'assistant-input', name: 'text', autocomplete: 'off', maxlength: 500,
    placeholder: placeholder || `Ask: “${EXAMPLES[0]}”`, 'aria-label': 'Ask the home assistant',
  })
  const send = h('button', { type: 'submit', class: 'btn btn-icon btn-primary', title: 'Send', 'aria-label': 'Send' }, icon('send'))
  const ptt = h('button', {
    type: 'button', class: 'btn btn-icon ptt', disabled: true, title: 'Voice is coming: push to talk',
    'aria-label': 'Push to talk (voice is coming)', dataset: { slot: 'push-to-talk' },
  }, icon('mic'))
  const form = h('form', { class: 'assistant-form' }, ptt, input, send)
  const [first, second] = examples || [EXAMPLES[0], EXAMPLES[1]]
  const empty = h('li', { class: 'turn-empty muted' }, 'Try ', h('em', {}, `“${first}”`), ' or ', h('em', {}, `“${second}”`), '.')
  log.append(empty)
  const box = h('section', { class: `assistant${compact ? ' compact' : ''}`, 'aria-label': 'Assistant' }, log, form)

  let busy = false

  async function run(text, { confirm = false } = {}) {
    if (busy) return
    busy = true
    send.disabled = true
    empty.remove()
    if (compact) log.replaceChildren()
    const turn = h('li', { class: 'turn' })
    const you = h('div', { class: 'turn-you' }, text, confirm ? h('span', { class: 'chip chip-soft' }, 'confirmed') : null)
    const events = h('ul', { class: 'turn-events' })
    const thinking = h('li', { class: 'event event-thinking' }, h('span', { class: 'dots' }, h('i'), h('i'), h('i')), 'Thinking')
    events.append(thinking)
    turn.append(you, events)
    log.append(turn)
    log.scrollTop = log.scrollHeight
    const started = performance.now()
    let gotDone = false
    try {
      await hub.assistant(text, { ...context(), confirm }, (event) => {
        render(event, events, text)
        if (event.type === 'done') gotDone = true
        if (event.type === 'applied') onApplied(event)
        log.scrollTop = log.scrollHeight
      })
    } catch (e) {
      events.append(h('li', { class: 'event event-refused' }, icon('alert', 14), e instanceof ApiError ? e.message : String(e)))
    } finally {
      thinking.remove()
      if (!gotDone) events.append(h('li', { class: 'event event-meta muted' }, `${Math.round(performance.now() - started)} ms`))
      busy = false
      send.disabled = false
      log.scrollTop = log.scrollHeight
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

  box.ask = run
  box.focusInput = () => input.focus()
  return box
}
