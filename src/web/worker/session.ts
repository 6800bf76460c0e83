// The client worker's one signed-in user: the network to the server that served the page (its
// HTTP API under the page's base path, so the UI works at / and under another node's
// /p2p/<peer-id>/http/ proxy alike), with the portable crypto provider, and the UserContext.
import { createPortableCrypto } from '../../crypto/providers/portable.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { PeergosError } from '../../errors.ts'
import { httpNetworkServices } from '../../http/clients/network.ts'
import { FetchPoster } from '../../http/poster.ts'
import { chunkCryptoOf, useChunkCrypto } from '../../client/chunk-crypto.ts'
import { UserContext } from '../../client/user-context.ts'
import type { NetworkAccess } from '../../services/network-access.ts'
import { sameOriginSocketFetch } from '../shared/socket-fetch.ts'
import { chunkCryptoPool, type ChunkCryptoPool } from './chunk-crypto-pool.ts'

/** A file operation before signing in. */
export class NotSignedInError extends PeergosError {}

let crypto: Promise<CryptoProvider> | undefined
let user: UserContext | undefined
let pool: ChunkCryptoPool | undefined

/** The services of the server whose API lives at `apiBase` ("http://host:port/" or ".../p2p/<id>/http/"). */
export async function networkAt(apiBase: string): Promise<NetworkAccess> {
  crypto ??= createPortableCrypto()
  const c = await crypto
  // file chunks are sealed and opened by helper workers, started at the first chunk
  if (chunkCryptoOf(c) === undefined) useChunkCrypto(c, pool = chunkCryptoPool(c))
  const base = new URL(apiBase)
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('The API base must be an http(s) URL')
  const baseUrl = base.origin + base.pathname.replace(/\/+$/, '')
  pool?.serveFrom(baseUrl) // the helpers fetch the fragments of the chunks they open from here
  // long calls (block writes of a large upload on a loaded server) get no client timeout of their own
  const poster = new FetchPoster(baseUrl, { timeoutMs: 120_000, maxResponseBytes: 64 * 1024 * 1024, fetch: blobBodyFetch })
  return { crypto: c, ...httpNetworkServices(poster) }
}

/**
 * fetch over the server's WebSocket when it offers one (socket-fetch.ts), else with a byte body sent
 * as a Blob: Chromium streams an ArrayBuffer body to its network process in small pieces (~3 MB/s on
 * a loaded machine), a Blob in one handle (~50-100 MB/s). A body the client worker may move (a
 * fragment write of an upload) is sent by a chunk helper, over its own socket or as a Blob built
 * there. The request bytes are the same on every path.
 */
function blobBodyFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const body = init?.body
  if (body instanceof Uint8Array && body.length > 0 && typeof input === 'string') {
    const moved = pool?.post(input, init!, body)
    if (moved !== undefined) return moved
  }
  if (typeof input === 'string') return sameOriginSocketFetch(blobFetch).fetch(input, init ?? {})
  return blobFetch(input, init)
}

function blobFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const body = init?.body
  if (body instanceof Uint8Array && body.length > 0) return fetch(input, { ...init, body: new Blob([body as Uint8Array<ArrayBuffer>]) })
  return fetch(input, init)
}

/** Loads and compiles the crypto provider's wasm ahead of the first sign-in (called at worker start). */
export function warmUp(): void {
  crypto ??= createPortableCrypto()
  crypto.catch(() => {}) // a failure shows again at the first call that needs it
}

export function currentUser(): UserContext {
  if (user === undefined) throw new NotSignedInError('Not signed in')
  return user
}

/** Replaces the signed-in user (closing the previous session). */
export async function setUser(next: UserContext | undefined): Promise<void> {
  const previous = user
  user = next
  if (previous !== undefined && previous !== next) await previous.close().catch(() => {})
}
