// The Node end of bench/web-floor.ts's WebSocket steps: a bare RFC 6455 endpoint (handshake, frame
// boundaries, close) that answers each complete message from the page's worker: a short message (a
// read request) with 1 MiB of bytes, a long one (a write) with two bytes. The payload is never unmasked:
// the bench measures Chromium's CPU, and the sink only has to find where each message ends.
import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const MiB = 1024 * 1024

function frameHeader(length: number): Buffer {
  if (length < 126) return Buffer.from([0x82, length])
  if (length < 65536) return Buffer.from([0x82, 126, length >> 8, length & 255])
  const h = Buffer.alloc(10)
  h[0] = 0x82
  h[1] = 127
  h.writeBigUInt64BE(BigInt(length), 2)
  return h
}

/** Bytes of a frame header once its first two bytes are known, else undefined. */
function headerLength(h: Buffer): number | undefined {
  if (h.length < 2) return undefined
  const len7 = h[1] & 127
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (h[1] & 128 ? 4 : 0)
}

/** Takes over an upgrade request on the bench server. */
export function acceptFloorSocket(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const key = req.headers['sec-websocket-key']
  if (typeof key !== 'string') {
    socket.destroy()
    return
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64')
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
  const big = Buffer.alloc(MiB, 7)
  let hdr = Buffer.alloc(0)
  let left = 0
  let opcode = 0
  let fin = false
  let messageLength = 0
  const frameDone = (): void => {
    if (opcode === 8) {
      socket.end(Buffer.from([0x88, 0]))
      return
    }
    if (opcode >= 8 || !fin) return
    if (messageLength < 64) {
      socket.write(frameHeader(MiB))
      socket.write(big)
    } else socket.write(Buffer.concat([frameHeader(2), Buffer.from('ok')]))
    messageLength = 0
  }
  const onData = (chunk: Buffer): void => {
    let at = 0
    while (at < chunk.length) {
      if (left > 0) {
        const n = Math.min(left, chunk.length - at)
        left -= n
        at += n
        if (left === 0) frameDone()
        continue
      }
      const h = Buffer.concat([hdr, chunk.subarray(at, at + 14 - hdr.length)])
      const need = headerLength(h)
      if (need === undefined || h.length < need) {
        at += h.length - hdr.length
        hdr = h
        continue
      }
      at += need - hdr.length
      hdr = Buffer.alloc(0)
      fin = (h[0] & 0x80) !== 0
      const op = h[0] & 15
      if (op !== 0) opcode = op
      const len7 = h[1] & 127
      left = len7 === 126 ? h.readUInt16BE(2) : len7 === 127 ? Number(h.readBigUInt64BE(2)) : len7
      if (op < 8) messageLength += left
      if (left === 0) frameDone()
    }
  }
  socket.on('data', onData)
  socket.on('error', () => socket.destroy())
  if (head.length > 0) onData(head)
}
