// Video for panels and the TV screen: HLS through hls.js where MSE exists, natively elsewhere
// (Safari, visionOS). Videos start muted so they may autoplay; a person can unmute.

import Hls from 'hls.js/light' // no subtitles, DRM or alternate audio: not needed for the home's streams

export class Player {
  /** @param {string} src an HLS playlist URL */
  constructor(src, { live = true } = {}) {
    this.src = src
    this.live = live
    this.error = null
    this.hls = null
    const video = document.createElement('video')
    video.muted = true
    video.playsInline = true
    video.crossOrigin = 'anonymous'
    video.preload = 'auto'
    video.loop = false
    video.setAttribute('playsinline', '')
    this.video = video
    this.wantPlaying = true
    this._retry = 0
    this._start()
  }

  _start() {
    const video = this.video
    if (Hls.isSupported()) {
      const hls = new Hls({
        liveSyncDurationCount: 3,
        maxBufferLength: 20,
        backBufferLength: 30,
        // demo channels start encoding on the first request: be patient with the first playlist
        manifestLoadPolicy: { default: { maxTimeToFirstByteMs: 20000, maxLoadTimeMs: 30000, timeoutRetry: { maxNumRetry: 4, retryDelayMs: 500, maxRetryDelayMs: 2000 }, errorRetry: { maxNumRetry: 6, retryDelayMs: 1000, maxRetryDelayMs: 4000 } } },
      })
      hls.on(Hls.Events.ERROR, (_, data) => {
        if (!data.fatal) return
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
          hls.recoverMediaError()
          return
        }
        this.error = `${data.type}: ${data.details}`
        if (this._retry++ < 5) {
          setTimeout(() => this.hls === hls && hls.startLoad(), 1500 * this._retry)
        } else {
          console.warn('twinspace: playback failed', this.src, this.error)
        }
      })
      hls.on(Hls.Events.MANIFEST_PARSED, () => this._play())
      hls.loadSource(this.src)
      hls.attachMedia(video)
      this.hls = hls
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = this.src
      video.addEventListener('loadedmetadata', () => this._play(), { once: true })
    } else {
      this.error = 'this browser plays neither HLS nor MSE'
    }
    video.addEventListener('error', () => {
      this.error = video.error ? `video: ${video.error.message || video.error.code}` : 'video error'
    })
  }

  _play() {
    if (!this.wantPlaying) return
    const p = this.video.play()
    if (p && p.catch) p.catch(() => {}) // autoplay rules: a muted video may play; otherwise the next gesture starts it
  }

  get playing() {
    return !this.video.paused && !this.video.ended && this.video.readyState > 2
  }

  get ready() {
    return this.video.readyState >= 2 && this.video.videoWidth > 0
  }

  setPlaying(on) {
    this.wantPlaying = on
    if (on) this._play()
    else this.video.pause()
  }

  /** Seek an on-demand title to where the household's playback is (seconds). */
  seekTo(seconds) {
    if (this.live || !Number.isFinite(seconds)) return
    const v = this.video
    const apply = () => {
      if (Math.abs(v.currentTime - seconds) > 2 && (!v.duration || seconds < v.duration)) v.currentTime = seconds
    }
    if (v.readyState >= 1) apply()
    else v.addEventListener('loadedmetadata', apply, { once: true })
  }

  setMuted(muted) {
    this.video.muted = muted
    if (!muted) this._play()
  }

  destroy() {
    this.wantPlaying = false
    if (this.hls) {
      this.hls.destroy()
      this.hls = null
    }
    this.video.removeAttribute('src')
    this.video.load()
  }
}

/** Where a playback entry says the title is now: position_s plus the time since updated_at. */
export function livePosition(playback) {
  if (!playback) return 0
  const base = Number(playback.position_s || 0)
  if (!playback.playing || !playback.updated_at) return base
  const elapsed = (Date.now() - new Date(playback.updated_at).getTime()) / 1000
  return base + Math.max(0, elapsed)
}
