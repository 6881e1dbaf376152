// One screen's part in a watch group (docs/cowatch.md): while its target is grouped, a cowatch
// socket lets the group's timeline drive the screen's <video>, and the hub says over it who
// else plays along. Every mode holds one per screen it plays — the 3D twin's panels and TV,
// the TV mode's picture, the glasses' sound — so all of them read who watches together from
// the same place: the live document's groups (watch-group.js) and this socket's members.

import { CoWatch } from './cowatch.js'
import { livePosition } from './media.js'
import { memberLines, watchGroup } from './watch-group.js'

const RETRY_MS = 3000

export class PlayAlong {
  /**
   * @param {{live: any, catalog: any, target: string, token: string, onChange?: Function, inSpace?: () => boolean}} options
   *   `onChange()` runs when the socket opens or closes and when the group's members change;
   *   `inSpace()` is true for a space's screen, which always plays along: everyone in the space
   *   watches it (a guest's player through its hub's relay to the host).
   */
  constructor({ live, catalog, target, token, onChange = () => {}, inSpace = () => false }) {
    this.live = live
    this.catalog = catalog
    this.target = target
    this.token = token
    this.onChange = onChange
    this.inSpace = inSpace
    this.cowatch = null
    this.members = []
    this.player = null
    this._retry = null
    this._refused = false // the hub refused the socket for good (a revoked pass): no more retries
  }

  /** Whether the screen plays along now: its cowatch socket is open. */
  get playingAlong() {
    return !!this.cowatch && !this.cowatch.closed
  }

  /** The group the target is in now (watch-group.js), or null. */
  group() {
    return watchGroup(this.live.snapshot, this.target)
  }

  /** Who watches together with the target (watch-group.js lines), or null when it plays alone. */
  lines() {
    // a space's screen needs no group in the document: its other players are the company
    const group = this.group() || (this.inSpace() && this.members.length > 1 ? { id: null, targets: [this.target] } : null)
    return group ? memberLines(this.live.snapshot, this.catalog, group, this.members) : null
  }

  /** Keep `player` on the target's session: in a group the group's timeline leads; alone,
   * the document's playing state and position. */
  sync(player, playback) {
    if (!player || !playback) return this.follow(null)
    if (typeof playback.muted === 'boolean' && playback.muted && !player.video.muted) player.setMuted(true)
    this.follow(player)
    if (this.cowatch) return // play, pause and seek arrive scheduled over the socket
    player.setPlaying(playback.playing !== false)
    if (!player.live) player.seekTo(livePosition(playback))
  }

  /** Play along with `player` while the target is grouped or a space's screen; otherwise (or
   * with no player) close the socket. */
  follow(player) {
    if (player !== this.player) this.close()
    this.player = player || null
    if (!(this.inSpace() || this.group()) || !this.player) return this.close()
    if (this.cowatch || this._retry || this._refused) return
    const cowatch = new CoWatch(this.live.routes.cowatch(this.target, this.token), this.player.video, {
      hls: this.player.hls,
      onMembers: (members) => {
        this.members = members
        this.onChange()
      },
      onState: ({ state, code }) => {
        if (state !== 'closed' || this.cowatch !== cowatch) return
        // closed under us (the hub restarted, the network dropped): try again while still shared;
        // not when the pass is gone (4401, 4403: a revoked device, a space this home left)
        this.cowatch = null
        this.members = []
        this.onChange()
        if (code === 4401 || code === 4403) return void (this._refused = true)
        this._retry = setTimeout(() => {
          this._retry = null
          if (this.player) this.follow(this.player)
        }, RETRY_MS)
      },
    })
    this.cowatch = cowatch
  }

  /** What was on screen when ([local wall time s, position]) while on the hub's clock: for tests. */
  samples(since = 0) {
    return this.cowatch ? this.cowatch.log.filter(([t]) => t >= since) : []
  }

  /** Stop playing along; `forget` also forgets a refusal (the screen shows something new). */
  close({ forget = false } = {}) {
    if (forget) this._refused = false
    clearTimeout(this._retry)
    this._retry = null
    if (!this.cowatch) return
    const cowatch = this.cowatch
    this.cowatch = null
    this.members = []
    cowatch.close()
    this.onChange()
  }
}
