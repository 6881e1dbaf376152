// "Together": who watches with this screen (the lines of ../play-along.js) and a Leave button,
// for the headset's panel toolbar, the TV's now-playing and the glasses' card.

import { h } from './dom.js'

/**
 * @param {{key: string, who: string, where: string, state: string|null}[]} lines
 * @param {{id: string, leaveId: string, leaveTitle: string, onLeave: () => Promise<any>, nav?: boolean, compact?: boolean, actions?: Node[]}} options
 *   `onLeave`: null for a screen with no group of its own to leave (no button); `nav`: the Leave button is a stop for the TV remote's arrow keys; `compact`: one member a
 *   line (glasses); `actions`: more buttons beside Leave.
 */
export function togetherBox(lines, { id, leaveId, leaveTitle, onLeave, nav = false, compact = false, actions = [] }) {
  const leave = onLeave && h('button', { type: 'button', class: `btn btn-ghost btn-small danger${nav ? ' tv-leave' : ''}`, id: leaveId, title: leaveTitle, dataset: nav ? { nav: '' } : {} }, 'Leave')
  // busy, not disabled: a disabled button drops the focus, and a remote's focus must stay put
  leave?.addEventListener('click', () => {
    if (leave.getAttribute('aria-disabled') === 'true') return
    leave.setAttribute('aria-disabled', 'true')
    Promise.resolve(onLeave()).finally(() => leave.removeAttribute('aria-disabled'))
  })
  const members = lines.map((l) => h('li', { dataset: { member: l.key, state: l.state || '' }, title: l.where ? `on ${l.where}` : '' },
    h('i', { class: 'member-dot' }), l.who, l.where ? h('small', { class: 'muted' }, ` · ${l.where}`) : null))
  return h('div', { class: `watch-group${compact ? ' watch-group-compact' : ''}`, id, role: 'group', 'aria-label': 'Watching together' },
    h('small', { class: 'muted' }, 'Together'), h('ul', { class: 'watch-members' }, members),
    actions.length ? h('div', { class: 'watch-actions' }, actions, leave) : leave)  // h() drops a null child
}

/** A stable key for `lines`: re-render only when who is there (or their state) changed, so a focused Leave keeps its focus. */
export function linesKey(lines) {
  return lines ? lines.map((l) => `${l.key}|${l.who}|${l.where}|${l.state}`).join('\n') : ''
}
