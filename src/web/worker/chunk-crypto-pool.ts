// The client worker's ChunkCrypto (client/chunk-crypto.ts): file chunks sealed and opened by a few
// chunk helpers (chunk-helper.ts, one Web Worker each), the least busy first, so the secretbox and
// SHA-256 of a large upload or download run beside the client worker and on every core. Once told
// where the server's API is (serveFrom), a helper also fetches the fragments of the chunks it opens
// (block/get requests as the HTTP client writes them), and sends the fragment writes whose bodies
// the client worker may move (post). Where a helper cannot start (no nested workers) or stops, the
// work stays in the client worker, hashed with WebCrypto all the same.
import { asyncHashChunkCrypto, type ChunkCrypto, type SealedChunk } from '../../client/chunk-crypto.ts'
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { cidToString, isIdentity } from '../../codec/cid.ts'
import { BlockHashMismatchError, InvalidCidError } from '../../codec/errors.ts'
import { DecryptionFailedError } from '../../crypto/errors.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { PeergosError } from '../../errors.ts'
import { query } from '../../http/clients/common.ts'
import { encodeBatWithId } from '../../model/bat-id.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { InvalidBatPrefixError } from '../../model/bat-prefix.ts'
import { InvalidObjectError, InvalidPaddingError } from '../../model/errors.ts'
import { adoptRoomAround, fpctFromCbor, fpctToCbor } from '../../model/fragmented-cipher-text.ts'
import type { ChunkReply, ChunkRequest } from '../shared/chunk-protocol.ts'
import { markMovable, takeMovable } from './movable-buffers.ts'
import { webSha256 } from './web-sha256.ts'

/** A chunk helper failed in a way none of the known error classes describes (its name and message kept). */
export class ChunkHelperError extends PeergosError {}

/** The errors sealing and opening throw, rebuilt under their own class (callers and the page match on them). */
const KNOWN_ERRORS: Record<string, new (message: string) => Error> = {
  DecryptionFailedError, BlockHashMismatchError, InvalidObjectError, InvalidPaddingError, InvalidBatPrefixError, InvalidCidError,
}

function errorOf(name: string, message: string): Error {
  const Known = KNOWN_ERRORS[name]
  return Known === undefined ? new ChunkHelperError(`${name}: ${message}`) : new Known(message)
}

/** Helpers started: one per core, at most two (the client worker, the browser and often the server share the rest). */
export function helperCount(): number {
  return Math.max(1, Math.min(2, globalThis.navigator?.hardwareConcurrency ?? 1))
}

/** One helper worker; a request resolves with undefined when the helper stopped before answering. */
class Helper {
  readonly waiting = new Map<number, (r: ChunkReply | undefined) => void>()
  private broken = false
  /** Its script and wasm are loaded: until then its chunks are done in the client worker. */
  private ready = false

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<ChunkReply>) => {
      const m = e.data
      if (m.kind === 'ready') {
        this.ready = true
        return
      }
      const w = this.waiting.get(m.id)
      this.waiting.delete(m.id)
      w?.(m)
    }
    worker.onerror = (e) => {
      e.preventDefault()
      this.stop()
    }
  }

  get usable(): boolean {
    return this.ready && !this.broken
  }

  request(m: ChunkRequest, transfer: Transferable[]): Promise<ChunkReply | undefined> {
    return new Promise((resolve) => {
      this.waiting.set(m.id, resolve)
      this.worker.postMessage(m, transfer)
    })
  }

  stop(): void {
    this.broken = true
    this.worker.terminate()
    for (const w of this.waiting.values()) w(undefined)
    this.waiting.clear()
  }
}

/** Bytes to send as a copy of our own, moved: one copy (a structured clone would copy twice). */
function sendable(bytes: Uint8Array, transfer: Transferable[]): Uint8Array {
  const own = bytes.slice()
  transfer.push(own.buffer)
  return own
}

export class ChunkCryptoPool implements ChunkCrypto {
  private nextId = 1
  private helpers: Helper[] | undefined
  /** Used while no helper is usable: the same work in the client worker. */
  private readonly local: ChunkCrypto
  /** The server's API base (as FetchPoster's, no trailing slash) once known: helpers fetch fragments from it. */
  private apiBase: string | undefined
  /** Chunks a helper fetched and opened itself, and posts it sent (tests and profiles read these). */
  readonly counts = { fetchedOpens: 0, posts: 0 }

  /**
   * The helpers start at the first chunk (not during a sign-in, whose scrypt they would slow down);
   * until they are ready, chunks are done in the client worker, so nothing waits for them.
   */
  constructor(c: CryptoProvider, private readonly count: number, private readonly startWorker: () => Worker) {
    this.local = asyncHashChunkCrypto(c, webSha256(c))
  }

  private started(): Helper[] {
    if (this.helpers !== undefined) return this.helpers
    this.helpers = []
    for (let i = 0; i < this.count; i++) {
      try {
        this.helpers.push(new Helper(this.startWorker()))
      } catch {
        break // no Worker in this scope (nested workers unsupported): the local path does the work
      }
    }
    return this.helpers
  }

  /** The usable helper with the fewest requests waiting, or undefined when none is left. */
  private pick(): Helper | undefined {
    let best: Helper | undefined
    for (const h of this.started()) if (h.usable && (best === undefined || h.waiting.size < best.waiting.size)) best = h
    return best
  }

  async seal(dataKey: Parameters<ChunkCrypto['seal']>[0], plain: Uint8Array, opts: Parameters<ChunkCrypto['seal']>[2] = {}): Promise<SealedChunk> {
    const helper = opts.nonce === undefined && opts.fragmentBats === undefined ? this.pick() : undefined
    if (helper === undefined) return this.local.seal(dataKey, plain, opts)
    const transfer: Transferable[] = []
    const moved = takeMovable(plain)
    if (moved) transfer.push(plain.buffer)
    const m: ChunkRequest = { kind: 'seal', id: this.nextId++, key: dataKey, plain: moved ? plain : sendable(plain, transfer), mirrorBatId: opts.mirrorBatId?.bytes }
    const r = await helper.request(m, transfer)
    if (r === undefined) {
      if (moved) throw new ChunkHelperError('A chunk helper stopped while sealing a chunk')
      return this.local.seal(dataKey, plain, opts) // `plain` was copied to the helper, not moved
    }
    if (r.kind === 'failed') throw errorOf(r.name, r.message)
    if (r.kind !== 'sealed') throw new ChunkHelperError(`A chunk helper answered a seal with '${r.kind}'`)
    const fpct = fpctFromCbor(decodeCbor(r.fpct))
    if (r.fragments.length !== fpct.fragments.length) throw new ChunkHelperError(`A chunk helper returned ${r.fragments.length} fragments for ${fpct.fragments.length} links`)
    for (const data of r.fragments) {
      adoptRoomAround(data) // its request is written around it, as for fragments built here
      markMovable(data.buffer as ArrayBuffer) // ours alone, read only to be sent: its write may move it to a helper (post)
    }
    return { fpct, fragments: r.fragments.map((data, i) => ({ cid: fpct.fragments[i], data })), plainHash: r.plainHash }
  }

  async open(fpct: Parameters<ChunkCrypto['open']>[0], dataKey: Parameters<ChunkCrypto['open']>[1], blocks: readonly Uint8Array[]): Promise<Uint8Array> {
    const helper = this.pick()
    if (helper === undefined) return this.local.open(fpct, dataKey, blocks)
    const transfer: Transferable[] = []
    const m: ChunkRequest = { kind: 'open', id: this.nextId++, key: dataKey, fpct: encodeCbor(fpctToCbor(fpct)), blocks: blocks.map((b) => sendable(b, transfer)) }
    const r = await helper.request(m, transfer)
    if (r === undefined) return this.local.open(fpct, dataKey, blocks)
    if (r.kind === 'failed') throw errorOf(r.name, r.message)
    if (r.kind !== 'opened') throw new ChunkHelperError(`A chunk helper answered an open with '${r.kind}'`)
    markMovable(r.bytes.buffer as ArrayBuffer) // ours alone: a download passes it on without a copy
    return r.bytes
  }

  /** The server the client worker's HTTP client talks to (`base` as its FetchPoster's: origin and path, no trailing slash). */
  serveFrom(base: string): void {
    this.apiBase = base
  }

  /**
   * The chunk fetched by a helper (each fragment a block/get of `owner` with its BAT, as
   * HttpContentAddressedStorage.get sends it) and opened there; undefined when the helper could not
   * fetch every fragment as a plain reply, or none is usable: the caller fetches them itself.
   */
  async fetchAndOpen(owner: PublicKeyHash, fpct: Parameters<ChunkCrypto['open']>[0], dataKey: Parameters<ChunkCrypto['open']>[1]): Promise<Uint8Array | undefined> {
    const base = this.apiBase
    if (base === undefined || fpct.fragments.some(isIdentity)) return undefined
    const helper = this.pick()
    if (helper === undefined) return undefined
    const urls = fpct.fragments.map((cid, i) => base + '/api/v0/block/get' + query([['arg', cidToString(cid)], ['owner', cidToString(owner)], ['bat', fpct.bats[i] === undefined ? undefined : encodeBatWithId(fpct.bats[i])]]))
    const r = await helper.request({ kind: 'fetch-open', id: this.nextId++, key: dataKey, fpct: encodeCbor(fpctToCbor(fpct)), urls }, [])
    if (r === undefined || r.kind === 'unfetched') return undefined
    if (r.kind === 'failed') throw errorOf(r.name, r.message)
    if (r.kind !== 'opened') throw new ChunkHelperError(`A chunk helper answered a fetch-open with '${r.kind}'`)
    this.counts.fetchedOpens++
    markMovable(r.bytes.buffer as ArrayBuffer)
    return r.bytes
  }

  /**
   * fetch for a POST whose body lies in a buffer the client worker may move (a fragment a helper
   * sealed, its write request built around it): a helper sends it; undefined when the body is not
   * movable or no helper is usable (the caller sends it itself).
   */
  post(url: string, init: RequestInit, body: Uint8Array): Promise<Response> | undefined {
    if (init.method !== 'POST' || (init.redirect ?? 'error') !== 'error') return undefined
    const helper = this.pick()
    if (helper === undefined || !takeMovable(body, true)) return undefined
    const headers = [...new Headers(init.headers).entries()]
    const signal = init.signal ?? undefined
    const sent = helper.request({ kind: 'post', id: this.nextId++, url, headers, body }, [body.buffer as ArrayBuffer]).then((r) => {
      if (r === undefined) throw new ChunkHelperError('A chunk helper stopped while sending a request')
      if (r.kind === 'failed') throw Object.assign(new Error(r.message), { name: r.name })
      if (r.kind !== 'posted') throw new ChunkHelperError(`A chunk helper answered a post with '${r.kind}'`)
      this.counts.posts++
      const empty = r.status === 204 || r.status === 205 || r.status === 304
      return new Response(empty ? null : r.body as Uint8Array<ArrayBuffer>, { status: r.status, statusText: r.statusText, headers: [...r.headers] as [string, string][] })
    })
    if (signal === undefined) return sent
    // the caller's time limit, as fetch would apply it (the helper's request goes on until its own)
    return new Promise<Response>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason)
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      sent.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  /** Stops the helpers (what they had in hand is done in the client worker). */
  close(): void {
    for (const h of this.helpers ?? []) if (h.usable) h.stop()
  }
}

/** The client worker's pool, its helpers bundled by Vite as module workers. */
export function chunkCryptoPool(c: CryptoProvider): ChunkCryptoPool {
  return new ChunkCryptoPool(c, helperCount(), () => new Worker(new URL('./chunk-helper.ts', import.meta.url), { type: 'module', name: 'peergos-chunks' }))
}
