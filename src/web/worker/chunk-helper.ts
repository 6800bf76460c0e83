// A chunk helper: a Web Worker started by the client worker (chunk-crypto-pool.ts) that seals and
// opens file chunks (client/chunk-crypto.ts with WebCrypto's SHA-256 and our SIMD wasm secretbox,
// or libsodium's in its own memory where SIMD is unavailable: chunk-secretbox.ts), so the secretbox of a large
// transfer runs on more than one core. It also does a large transfer's requests: it fetches the
// fragments of a chunk it opens (straight into its own memory, each checked against its CID by the
// opening), and sends the fragment writes the client worker moves to it, both over the server's
// WebSocket where it offers one (shared/socket-fetch.ts), else by fetch (a write's Blob built here). It
// holds no session: each request brings the chunk's data key or the ready URL and body, and nothing
// is kept after the reply.
import { asyncHashChunkCrypto, type ChunkCrypto } from '../../client/chunk-crypto.ts'
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { cidFromBytes } from '../../codec/cid.ts'
import { createPortableCrypto } from '../../crypto/providers/portable.ts'
import { readLimited } from '../../http/gzip.ts'
import { fpctFromCbor, fpctToCbor, MAX_BLOCK_SIZE } from '../../model/fragmented-cipher-text.ts'
import { buffersOf, type ChunkReply, type ChunkRequest } from '../shared/chunk-protocol.ts'
import { sameOriginSocketFetch } from '../shared/socket-fetch.ts'
import { chunkSecretbox, measuredSecretbox } from './chunk-secretbox.ts'
import { webSha256 } from './web-sha256.ts'

const scope = self as unknown as { postMessage(m: ChunkReply, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ChunkRequest>) => void) | null }

/** As the client worker's FetchPoster: a request's time limit and the largest reply read. */
const TIMEOUT_MS = 120_000
const MAX_REPLY_BYTES = 64 * 1024 * 1024

/** A fragment as a plain 200 reply of a declared length the server may send, or why not (the client worker then fetches it its own way, with its errors). */
async function fetchFragment(url: string): Promise<Uint8Array | string> {
  const init: RequestInit = { method: 'POST', body: new Uint8Array(0), redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) }
  const sockets = sameOriginSocketFetch()
  let res: Response
  try {
    // over the socket: the reply's bytes as they came (no Response around them to read back out)
    const raw = await sockets.exchange(url, init)
    if (raw !== undefined) return plainFragment(raw.status, new Headers(raw.headers as [string, string][]), raw.body) ?? raw.body
    res = await sockets.fetch(url, init)
  } catch (e) {
    return `request failed: ${e instanceof Error ? e.name : String(e)}`
  }
  const refused = plainFragment(res.status, res.headers)
  if (refused !== undefined) {
    await res.body?.cancel().catch(() => {})
    return refused
  }
  try {
    return new Uint8Array(await res.arrayBuffer())
  } catch (e) {
    return `reply not read: ${e instanceof Error ? e.name : String(e)}`
  }
}

/** Why a reply is not a plain fragment (undefined when it is: 200, no content coding, a declared length up to MAX_BLOCK_SIZE, and `body`, when given, of that length). */
function plainFragment(status: number, headers: Headers, body?: Uint8Array): string | undefined {
  const length = Number(headers.get('content-length') ?? 'NaN')
  if (status === 200 && headers.get('content-encoding') === null && length > 0 && length <= MAX_BLOCK_SIZE && (body === undefined || body.length === length)) return undefined
  return `status ${status}, ${headers.get('content-length') ?? 'no'} bytes declared`
}

async function fetchAndOpen(cc: ChunkCrypto, m: Extract<ChunkRequest, { kind: 'fetch-open' }>): Promise<void> {
  const blocks = await Promise.all(m.urls.map(fetchFragment))
  const missing = blocks.find((b) => typeof b === 'string')
  if (missing !== undefined) {
    scope.postMessage({ kind: 'unfetched', id: m.id, reason: missing })
    return
  }
  const bytes = await cc.open(fpctFromCbor(decodeCbor(m.fpct)), m.key, blocks as Uint8Array[])
  scope.postMessage({ kind: 'opened', id: m.id, bytes }, buffersOf([bytes]))
}

/** fetch with a byte body sent as a Blob (see session.ts blobBodyFetch): where the server has no socket. */
function blobFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const body = init?.body
  return fetch(input, body instanceof Uint8Array && body.length > 0 ? { ...init, body: new Blob([body as Uint8Array<ArrayBuffer>]) } : init)
}

/**
 * One POST with the moved body, over the socket or as a Blob, its reply read whole. Its buffer is ours
 * alone (moved here, the fragment's room before it spare): the socket's request head goes there.
 */
async function post(m: Extract<ChunkRequest, { kind: 'post' }>): Promise<void> {
  const init: RequestInit = { method: 'POST', body: m.body as Uint8Array<ArrayBuffer>, headers: [...m.headers] as [string, string][], redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) }
  const res = await sameOriginSocketFetch(blobFetch).fetch(m.url, init, { headInRoomBefore: true })
  const body = res.body === null ? new Uint8Array(0) : await readLimited(res.body, MAX_REPLY_BYTES, 'Reply')
  scope.postMessage({ kind: 'posted', id: m.id, status: res.status, statusText: res.statusText, headers: [...res.headers], body }, buffersOf([body]))
}

/** Measures kept in the performance timeline (peergos:seal, peergos:open, peergos:fetch-open, peergos:post, peergos:secretbox:<kind> per secretbox call, and the mark peergos:ready: profiling and tests see the work here). */
const MAX_MEASURES = 1000
let measured = 0

async function answer(cc: ChunkCrypto, m: ChunkRequest): Promise<void> {
  const start = performance.now()
  try {
    if (m.kind === 'seal') {
      const s = await cc.seal(m.key, m.plain, { mirrorBatId: m.mirrorBatId === undefined ? undefined : cidFromBytes(m.mirrorBatId) })
      const fragments = s.fragments.map((f) => f.data)
      scope.postMessage({ kind: 'sealed', id: m.id, fpct: encodeCbor(fpctToCbor(s.fpct)), fragments, plainHash: s.plainHash }, buffersOf(fragments))
    } else if (m.kind === 'open') {
      const bytes = await cc.open(fpctFromCbor(decodeCbor(m.fpct)), m.key, m.blocks)
      scope.postMessage({ kind: 'opened', id: m.id, bytes }, buffersOf([bytes]))
    } else if (m.kind === 'fetch-open') await fetchAndOpen(cc, m)
    else await post(m)
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

const ready = createPortableCrypto().then(async (c) => {
  const { box, kind } = await chunkSecretbox(c)
  return asyncHashChunkCrypto(c, webSha256(c), measuredSecretbox(box, kind))
})
scope.onmessage = (e) => void ready.then((cc) => answer(cc, e.data), (err: unknown) => failed(e.data.id, err))
ready.then(() => {
  performance.mark('peergos:ready')
  scope.postMessage({ kind: 'ready' })
}, () => {})
