// The microphone on the audio thread: whatever rate the AudioContext runs at (48 kHz, 44.1 kHz…)
// becomes 16 kHz mono signed 16-bit little-endian, posted to the page in ~40 ms frames for the
// hub (docs/voice.md). Loaded with audioWorklet.addModule, so it must stay free of imports.

const TAPS = 127 // the low-pass: enough to keep 8–16 kHz from folding back into speech

/** A windowed-sinc (Blackman) low-pass with cutoff `fc` in cycles per input sample, unity gain. */
function lowpass(fc, taps) {
  const h = new Float32Array(taps)
  const mid = (taps - 1) / 2
  let sum = 0
  for (let i = 0; i < taps; i++) {
    const x = i - mid
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x)
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1))
    h[i] = sinc * w
    sum += h[i]
  }
  for (let i = 0; i < taps; i++) h[i] /= sum
  return h
}

class Pcm16k extends AudioWorkletProcessor {
  constructor(options) {
    super()
    const { rate = 16000, frameMs = 40 } = options.processorOptions || {}
    this.step = sampleRate / rate // input samples per output sample; fractional for 44.1 kHz
    // Downsampling needs the low-pass; at or below 16 kHz the samples are only interpolated.
    this.h = this.step > 1 ? lowpass((0.5 / this.step) * 0.875, TAPS) : Float32Array.of(1)
    this.buf = new Float32Array(this.h.length + 1024) // input from absolute index `base` on
    this.len = 0
    this.base = 0
    this.next = 0 // absolute input position of the next output sample
    this.samples = Math.max(1, Math.round((rate * frameMs) / 1000))
    this.frame = new DataView(new ArrayBuffer(this.samples * 2))
    this.filled = 0
    this.running = true
    this.port.onmessage = ({ data }) => {
      if (data === 'flush') {
        this.post() // the last partial frame, then a marker the page waits for before `end`
        this.port.postMessage('flushed')
      } else if (data === 'stop') {
        this.running = false
      }
    }
  }

  /** The filtered signal at buffer index j (causal FIR; indices before the start count as silence). */
  fir(j) {
    const h = this.h
    const buf = this.buf
    let acc = 0
    const n = Math.min(h.length, j + 1)
    for (let m = 0; m < n; m++) acc += h[m] * buf[j - m]
    return acc
  }

  process(inputs) {
    const input = inputs[0]
    const x = input && input[0]
    if (!this.running) return false
    if (!x) return true // no input connected yet
    if (this.len + x.length > this.buf.length) {
      const bigger = new Float32Array((this.len + x.length) * 2)
      bigger.set(this.buf.subarray(0, this.len))
      this.buf = bigger
    }
    this.buf.set(x, this.len)
    this.len += x.length
    for (;;) {
      const i = Math.floor(this.next)
      const frac = this.next - i
      const j = i - this.base
      if (j + (frac > 1e-9 ? 1 : 0) >= this.len) break
      const a = this.fir(j)
      this.push(frac > 1e-9 ? a + (this.fir(j + 1) - a) * frac : a)
      this.next += this.step
    }
    // Keep only the history later outputs still need.
    const drop = Math.min(this.len, Math.floor(this.next) - (this.h.length - 1) - this.base)
    if (drop > 0) {
      const keep = Math.max(0, this.len - drop)
      this.buf.copyWithin(0, this.len - keep, this.len)
      this.len = keep
      this.base += drop
    }
    return true
  }

  push(v) {
    const s = v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v < 0 ? v * 32768 : v * 32767)
    this.frame.setInt16(this.filled * 2, s, true)
    if (++this.filled === this.samples) this.post()
  }

  post() {
    if (!this.filled) return
    const bytes = this.frame.buffer.slice(0, this.filled * 2)
    this.filled = 0
    this.port.postMessage(bytes, [bytes])
  }
}

registerProcessor('pcm-16k', Pcm16k)
