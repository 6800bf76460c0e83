// Multiaddrs of the daemon's p2p options (reference §7.1: swarm on /ip4/0.0.0.0/tcp/4001): listen
// addresses, and peer addresses (bootstrap, relay) that must end with the peer's /p2p/<peer-id>.
// Light on purpose: config parsing uses it without loading libp2p.
import type { PeerId } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { InvalidMultiaddrError } from './errors.ts'
import { parsePeerIdString } from './peer-ids.ts'

/** Peergos' swarm default. */
export const DEFAULT_P2P_LISTEN = '/ip4/0.0.0.0/tcp/4001'

export function parseListenAddress(s: string): Multiaddr {
  try {
    return multiaddr(s)
  } catch {
    throw new InvalidMultiaddrError(`Invalid listen address '${s}'`)
  }
}

/** A multiaddr naming its peer (/p2p/<id> last), as bootstrap and relay addresses do. */
export function parsePeerAddress(s: string, what: string): Multiaddr {
  let ma: Multiaddr
  try {
    ma = multiaddr(s)
  } catch {
    throw new InvalidMultiaddrError(`Invalid ${what} address '${s}'`)
  }
  const last = ma.getComponents().at(-1)
  if (last?.name !== 'p2p' || last.value === undefined) throw new InvalidMultiaddrError(`The ${what} address '${s}' must end with /p2p/<peer-id>`)
  return ma
}

/** The peer a peer address names. */
export function peerOfAddress(ma: Multiaddr): PeerId {
  return parsePeerIdString(ma.getComponents().at(-1)!.value!)
}

/** A comma-separated option value as a list ('' and 'none' are empty). */
export function addressList(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '' || value.trim() === 'none') return []
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}
