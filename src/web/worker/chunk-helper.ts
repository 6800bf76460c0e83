// A chunk helper: a Web Worker started by the client worker (chunk-crypto-pool.ts) that seals and
// opens file chunks (client/chunk-crypto.ts with WebCrypto's SHA-256 and the secretbox in
// libsodium's own memory, sodium-heap-secretbox.ts), so the secretbox of a large
// transfer runs on more than one core and the client worker keeps to requests. It holds no session:
// each request brings the chunk's data key, and nothing is kept after the reply.
import { asyncHashChunkCrypto, type ChunkCrypto } from '../../client/chunk-crypto.ts'
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { cidFromBytes } from '../../codec/cid.ts'
import { createPortableCrypto } from '../../crypto/providers/portable.ts'
import { fpctFromCbor, fpctToCbor } from '../../model/fragmented-cipher-text.ts'
import { buffersOf, type ChunkReply, type ChunkRequest } from '../shared/chunk-protocol.ts'
import { sodiumHeapSecretbox } from './sodium-heap-secretbox.ts'
import { webSha256 } from './web-sha256.ts'

const scope = self as unknown as { postMessage(m: ChunkReply, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ChunkRequest>) => void) | null }

/** Measures kept in the performance timeline (peergos:seal, peergos:open, and the mark peergos:ready: profiling and tests see the work here). */
const MAX_MEASURES = 1000
let measured = 0

async function answer(cc: ChunkCrypto, m: ChunkRequest): Promise<void> {
  const start = performance.now()
  try {
    if (m.kind === 'seal') {
      const s = await cc.seal(m.key, m.plain, { mirrorBatId: m.mirrorBatId === undefined ? undefined : cidFromBytes(m.mirrorBatId) })
      const fragments = s.fragments.map((f) => f.data)
      scope.postMessage({ kind: 'sealed', id: m.id, fpct: encodeCbor(fpctToCbor(s.fpct)), fragments, plainHash: s.plainHash }, buffersOf(fragments))
    } else {
      const bytes = await cc.open(fpctFromCbor(decodeCbor(m.fpct)), m.key, m.blocks)
      scope.postMessage({ kind: 'opened', id: m.id, bytes }, buffersOf([bytes]))
    }
  } catch (e) {
    failed(m.id, e)
  }
  if (++measured > MAX_MEASURES) {
    performance.clearMeasures()
    measured = 1
  }
  performance.measure(`peergos:${m.kind}`, { start })
}

function failed(id: number, e: unknown): void {
  const er = e instanceof Error ? e : new Error(String(e))
  scope.postMessage({ kind: 'failed', id, name: er.name, message: er.message })
}

const ready = createPortableCrypto().then((c) => asyncHashChunkCrypto(c, webSha256(c), sodiumHeapSecretbox(c)))
scope.onmessage = (e) => void ready.then((cc) => answer(cc, e.data), (err: unknown) => failed(e.data.id, err))
ready.then(() => {
  performance.mark('peergos:ready')
  scope.postMessage({ kind: 'ready' })
}, () => {})
