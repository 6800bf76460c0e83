// Which Host header values name this server (Peergos UserService.addHandler + SubdomainHandler):
// 127.0.0.1:<port> and localhost:<port>, the public host name(s), and the node's peer ids (bare
// base58 multihash and base58 CID) for requests arriving through the p2p proxy. Others get 404.
import { base58Encode, type CID } from '../codec/cid.ts'

export interface HostPolicy {
  /** The port the server listens on. */
  readonly port: number
  /** Public host names with their port when not default (e.g. "peergos.example:443" or "peergos.example"). */
  readonly publicHosts?: readonly string[]
  /** This node's peer ids (current and past). */
  readonly peerIds?: readonly CID[]
}

export interface AllowedHosts {
  /** Peer ids: base58 is case-sensitive, compared exactly. */
  readonly exact: ReadonlySet<string>
  /** DNS names and IP literals: compared case-insensitively. */
  readonly names: ReadonlySet<string>
}

export function allowedHosts(policy: HostPolicy): AllowedHosts {
  const names = new Set<string>([`127.0.0.1:${policy.port}`, `localhost:${policy.port}`])
  for (const h of policy.publicHosts ?? []) names.add(h.toLowerCase())
  const exact = new Set<string>()
  for (const id of policy.peerIds ?? []) {
    exact.add(base58Encode(id.multihash.bytes))
    exact.add(base58Encode(id.bytes))
  }
  return { exact, names }
}

/** Whether a request's Host header values (all of them, as received) name this server: exactly one, and allowed. */
export function isAllowedHost(values: readonly string[], allowed: AllowedHosts): boolean {
  if (values.length !== 1) return false
  const host = values[0]
  return allowed.exact.has(host) || allowed.names.has(host.toLowerCase())
}
