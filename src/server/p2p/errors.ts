// Named errors of the p2p layer (reference §7.1): what a proxied request or a libp2p stream can fail
// with. Over the gateway they travel as Peergos does (HTTP 400 + URL-encoded `Trailer`, as Nabu's
// HttpProxyHandler replies), except busy (429) and timeout (504), which Peergos clients retry.
import { BadRequestError } from '../../http/errors.ts'
import { PeergosError } from '../../errors.ts'
import { RateLimitError } from '../../services/errors.ts'

/** A `/p2p/<peer-id>/http/<path>` path that names no peer id or no `/http/` target. */
export class InvalidP2pPathError extends BadRequestError {}

/** No connection to the peer could be made: no known address, refused, or every dial failed. */
export class PeerUnreachableError extends PeergosError {}

/** The peer did not answer in time (dial, stream negotiation or reply headers). */
export class P2pTimeoutError extends PeergosError {}

/** The stream broke before a whole reply arrived, or the reply was not HTTP. */
export class P2pStreamError extends PeergosError {}

/** Too many requests are being proxied at once (HTTP 429, as Peergos' "Queue full"). */
export class GatewayBusyError extends RateLimitError {}

/** A peer has too many `/http` streams open here at once (per peer or over all peers); HTTP 429. */
export class P2pStreamLimitError extends RateLimitError {}

/** The p2p layer could not start: a bad listen or bootstrap address, or a port in use. */
export class P2pStartError extends PeergosError {}

/** A listen, bootstrap or relay multiaddr that does not parse, or lacks its /p2p/<peer-id>. */
export class InvalidMultiaddrError extends PeergosError {}
