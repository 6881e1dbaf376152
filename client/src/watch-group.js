// Who watches together (docs/cowatch.md): a target's watch group read from the live document,
// and the lines a UI shows for it. The document says which targets are grouped (panels, the
// TV…); the cowatch socket's `members` say who plays along on each (person · device).

/** The watch group `target` is in: {id, targets}, or null (alone, or a group of one). */
export function watchGroup(snapshot, target) {
  const playback = snapshot?.playback || {}
  const group = playback[target]?.group
  if (!group) return null
  const targets = Object.keys(playback).filter((id) => playback[id]?.group === group).sort()
  return targets.length > 1 ? { id: group, targets } : null
}

/** A target's name: a device's own name, a panel by its title, a wearable by whose it is. */
export function targetName(snapshot, catalog, target) {
  const device = snapshot?.devices?.[target]
  if (device) return device.name || target
  const panel = snapshot?.panels?.[target]
  if (panel) return `${catalog?.title(panel.content) || panel.content} panel`
  const xr = snapshot?.xr_devices?.[target] // a headset or glasses: whose, as the hub names them
  if (xr) {
    const owner = xr.owner ? snapshot.people?.[xr.owner]?.name || xr.owner : null
    return owner ? `${owner}'s ${xr.kind}` : xr.model || target
  }
  return target
}

/**
 * One line per member that plays along (person · device, where), then one per grouped target
 * nobody's player is connected to (the real TV plays through its bridge, not a socket).
 * @returns {{key: string, who: string, where: string, state: string|null}[]}
 */
export function memberLines(snapshot, catalog, group, members = []) {
  const people = snapshot?.people || {}
  const xr = snapshot?.xr_devices || {}
  const lines = []
  const covered = new Set()
  for (const m of members) {
    if (!group.targets.includes(m.target)) continue
    covered.add(m.target)
    const person = m.person ? people[m.person]?.name || m.person : 'Someone'
    const device = m.device ? xr[m.device]?.model || xr[m.device]?.kind || m.device : null // the document names a wearable by its model
    lines.push({ key: m.id, who: device ? `${person} · ${device}` : person, where: targetName(snapshot, catalog, m.target), state: m.state || null })
  }
  for (const target of group.targets) {
    if (!covered.has(target)) lines.push({ key: target, who: targetName(snapshot, catalog, target), where: '', state: null })
  }
  return lines
}
