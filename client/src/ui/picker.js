// The content picker: live channels, on-demand titles and apps → a new panel.

import { formatClock } from '../content.js'
import { h, icon } from './dom.js'

const SIDES = [
  ['', 'Best spot'],
  ['front', 'In front of me'],
  ['left', 'To my left'],
  ['right', 'To my right'],
]
const SIZES = [
  ['', 'Auto'],
  ['small', 'S'],
  ['medium', 'M'],
  ['large', 'L'],
  ['cinema', 'Cinema'],
]

function chips(name, options, initial) {
  const group = h('div', { class: 'chips', role: 'radiogroup', 'aria-label': name })
  for (const [value, label] of options) {
    const id = `${name}-${value || 'auto'}`
    const input = h('input', { type: 'radio', name, value, id, checked: value === initial })
    group.append(h('label', { class: 'chip-radio', for: id }, input, h('span', {}, label)))
  }
  return group
}

/**
 * Open the picker. `onPick({content, placement})` runs the action; resolves when closed.
 * @param {import('../content.js').Catalog} catalog
 */
export function openPicker(catalog, onPick, { title = 'Open a panel' } = {}) {
  const dialog = h('dialog', { class: 'picker', id: 'picker', 'aria-label': title })
  const list = h('div', { class: 'picker-list', role: 'listbox', 'aria-label': 'Content' })
  const search = h('input', { type: 'search', class: 'picker-search', id: 'picker-search', placeholder: 'Search channels, titles, apps…', 'aria-label': 'Search' })
  const refInput = h('input', { class: 'picker-ref', id: 'picker-ref', placeholder: 'or a content ref: channel:arena.demo', 'aria-label': 'Content reference', spellcheck: 'false' })
  const status = h('p', { class: 'form-error', role: 'alert' })
  const tabs = h('div', { class: 'tabs', role: 'tablist' })
  const where = chips('side', SIDES, '')
  const size = chips('size', SIZES, '')
  let current = 'live'

  const sections = {
    live: () => {
      const rows = catalog.guide.length ? catalog.guide : catalog.channels.map((c) => ({ channel: c, now: null, next: null }))
      return rows.map((row) =>
        item(row.channel.ref, row.channel.name, row.now ? `${row.now.title} · until ${formatClock(row.now.stop)}` : row.channel.group || 'Live channel', row.channel.number, 'live'),
      )
    },
    vod: () => catalog.vod.map((v) => item(v.ref, v.title, [v.kind, v.year, v.duration ? `${Math.round(v.duration / 60)} min` : null, v.rating ? `rated ${v.rating}` : null].filter(Boolean).join(' · '), null, 'play')),
    apps: () => catalog.apps.map((a) => item(a.ref, a.title, 'App', null, 'more')),
  }
  const labels = { live: 'Live TV', vod: 'On demand', apps: 'Apps' }

  function item(ref, name, sub, number, glyph) {
    const button = h('button', { type: 'button', class: 'picker-item', role: 'option', dataset: { ref } },
      h('span', { class: 'picker-badge' }, number != null ? String(number) : icon(glyph, 16)),
      h('span', { class: 'picker-text' }, h('strong', {}, name), h('small', {}, sub || ref)),
      h('span', { class: 'picker-open' }, icon('plus', 16)))
    button.addEventListener('click', () => choose(ref, button))
    return button
  }

  function render(items) {
    list.replaceChildren(...(items.length ? items : [h('p', { class: 'muted empty' }, emptyText())]))
  }

  function emptyText() {
    if (search.value.trim()) return 'Nothing matches. Try another word, or type a content ref below.'
    if (current === 'live' && !catalog.sources.channels && !catalog.sources.guide) return 'This hub does not list its channels yet. Type a content ref below, e.g. channel:hubnews.demo.'
    if (current === 'vod' && !catalog.sources.vod) return 'This hub does not list on-demand titles yet. Type a content ref below, e.g. vod:big-wave.'
    return 'Nothing here yet.'
  }

  function showTab(name) {
    current = name
    for (const b of tabs.children) b.setAttribute('aria-selected', String(b.dataset.tab === name))
    render(sections[name]())
  }

  for (const name of Object.keys(sections)) {
    const b = h('button', { type: 'button', role: 'tab', class: 'tab', dataset: { tab: name } }, labels[name])
    b.addEventListener('click', () => {
      search.value = ''
      showTab(name)
    })
    tabs.append(b)
  }

  let searchTimer = 0
  search.addEventListener('input', () => {
    clearTimeout(searchTimer)
    searchTimer = setTimeout(async () => {
      const q = search.value.trim()
      if (!q) return showTab(current)
      const hits = (await catalog.search(q)) || []
      render(hits.map((hit) => item(hit.ref, hit.title, hit.subtitle, null, 'play')))
    }, 180)
  })

  async function choose(ref, button) {
    const side = where.querySelector('input:checked')?.value || ''
    const sz = size.querySelector('input:checked')?.value || ''
    const placement = {}
    if (side) placement.side = side
    if (sz) placement.size = sz
    status.textContent = ''
    if (button) button.classList.add('busy')
    try {
      await onPick({ content: ref, placement: Object.keys(placement).length ? placement : null })
      dialog.close()
    } catch (e) {
      status.textContent = e.message
    } finally {
      if (button) button.classList.remove('busy')
    }
  }

  const refForm = h('form', { class: 'picker-ref-form' }, refInput, h('button', { type: 'submit', class: 'btn btn-secondary', id: 'picker-ref-open' }, 'Open'))
  refForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const ref = refInput.value.trim()
    if (ref) choose(ref, null)
  })
  const close = h('button', { type: 'button', class: 'btn btn-icon btn-ghost', 'aria-label': 'Close', title: 'Close' }, icon('close'))
  close.addEventListener('click', () => dialog.close())

  dialog.append(
    h('header', { class: 'picker-head' }, h('h2', {}, title), close),
    tabs,
    search,
    list,
    h('div', { class: 'picker-options' }, h('div', {}, h('span', { class: 'option-label' }, 'Where'), where), h('div', {}, h('span', { class: 'option-label' }, 'Size'), size)),
    refForm,
    status,
  )
  document.body.append(dialog)
  showTab(catalog.guide.length || catalog.channels.length ? 'live' : catalog.vod.length ? 'vod' : 'apps')
  dialog.showModal()
  search.focus()
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve()
    })
  })
}
