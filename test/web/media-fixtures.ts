// Media files for the web UI's media tests, made here rather than downloaded: a PNG (a colour
// gradient, deflated by node:zlib, CRC-32 per chunk) and a PCM WAV tone of any length.
import { deflateSync } from 'node:zlib'

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

function crc32(parts: readonly Uint8Array[]): number {
  let c = 0xffffffff
  for (const p of parts) for (const b of p) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const t = Buffer.from(type, 'latin1')
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  t.copy(out, 4)
  Buffer.from(data).copy(out, 8)
  out.writeUInt32BE(crc32([t, data]), 8 + data.length)
  return out
}

/** A `width` × `height` RGB PNG: red across, green down, blue constant (or, with `noise`, pseudo-random: it does not compress). */
export function gradientPng(width: number, height: number, noise = false): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height)
  let seed = 12345
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1)
    raw[row] = 0 // filter: none
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0
      raw[row + 1 + x * 3] = Math.floor((x * 255) / Math.max(1, width - 1))
      raw[row + 2 + x * 3] = noise ? seed >>> 24 : Math.floor((y * 255) / Math.max(1, height - 1))
      raw[row + 3 + x * 3] = noise ? (seed >>> 16) & 0xff : 128
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // colour type: RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0))])
}

/** A mono 16-bit PCM WAV of `seconds` of a 440 Hz tone at `rate` samples per second. */
export function toneWav(seconds: number, rate = 44_100): Buffer {
  const samples = Math.round(seconds * rate)
  const out = Buffer.alloc(44 + samples * 2)
  out.write('RIFF', 0, 'latin1')
  out.writeUInt32LE(36 + samples * 2, 4)
  out.write('WAVEfmt ', 8, 'latin1')
  out.writeUInt32LE(16, 16) // fmt chunk size
  out.writeUInt16LE(1, 20) // PCM
  out.writeUInt16LE(1, 22) // mono
  out.writeUInt32LE(rate, 24)
  out.writeUInt32LE(rate * 2, 28) // byte rate
  out.writeUInt16LE(2, 32) // block align
  out.writeUInt16LE(16, 34) // bits per sample
  out.write('data', 36, 'latin1')
  out.writeUInt32LE(samples * 2, 40)
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), 44 + i * 2)
  return out
}
