// UserSnapshot (reference §4.4; Peergos UserSnapshot, LinkCounts): what a user's old home server hands
// the new one during a migration. CBOR map {n: username, o: owner, f: [BlindFollowRequest...],
// p: [writer, signed pointer, writer, signed pointer...], b: [BatWithId...], l?: LoginData,
// lc: {d: [label, count, modified epoch seconds, ...]}}.
import { compareKeys, decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asBytes, asList, asLong, cborMap, Fields } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import { batWithIdFromCbor, batWithIdToCbor, type BatWithId } from './bat-id.ts'
import { blindFollowRequestFromCbor, blindFollowRequestToCbor } from './blind-follow-request.ts'
import { loginDataFromCbor, loginDataToCbor, type LoginData } from './login-data.ts'
import { publicKeyHashFromCbor, type PublicKeyHash } from './signing-keys.ts'

/** One secret link's use count (LinkCounts): label, count, last change in epoch seconds. */
export interface LinkCount {
  readonly label: number
  readonly count: number
  readonly modified: number
}

export interface UserSnapshot {
  readonly username: string
  readonly owner: PublicKeyHash
  /** Every writer's signed pointer (the identity's and every key it owns, recursively). */
  readonly pointers: ReadonlyArray<{ readonly writer: PublicKeyHash; readonly signed: Uint8Array }>
  /** Pending follow requests, each the CBOR of a BlindFollowRequest. */
  readonly followRequests: readonly Uint8Array[]
  readonly mirrorBats: readonly BatWithId[]
  readonly login?: LoginData
  readonly linkCounts: readonly LinkCount[]
}

function safeNumber(v: CborValue, what: string): number {
  const n = asLong(v, what)
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) throw new CborTypeError(`${what} out of range`)
  return Number(n)
}

export function userSnapshotToCbor(s: UserSnapshot): CborValue {
  const pointers = [...s.pointers].sort((a, b) => compareKeys(encodeCbor(a.writer), encodeCbor(b.writer)))
  return cborMap({
    b: s.mirrorBats.map(batWithIdToCbor),
    f: s.followRequests.map((r) => blindFollowRequestToCbor(blindFollowRequestFromCbor(decodeCbor(r, { maxDepth: 5 })))),
    l: s.login === undefined ? undefined : loginDataToCbor(s.login),
    lc: cborMap({ d: s.linkCounts.flatMap((c) => [c.label, c.count, c.modified]) }),
    n: s.username,
    o: s.owner,
    p: pointers.flatMap((p) => [p.writer, p.signed]),
  })
}

export function userSnapshotFromCbor(v: CborValue): UserSnapshot {
  const f = Fields.of(v, 'UserSnapshot')
  const flat = f.list('p')
  if (flat.length % 2 !== 0) throw new CborTypeError('UserSnapshot.p: odd length')
  const pointers = []
  for (let i = 0; i < flat.length; i += 2) pointers.push({ writer: publicKeyHashFromCbor(flat[i], 'UserSnapshot.p writer'), signed: asBytes(flat[i + 1], 'UserSnapshot.p pointer') })
  const counts = asList(Fields.of(f.req('lc'), 'LinkCounts').req('d'), 'LinkCounts.d')
  if (counts.length % 3 !== 0) throw new CborTypeError(`Invalid cbor for LinkCounts: list size ${counts.length} is not a multiple of 3`)
  const linkCounts: LinkCount[] = []
  for (let i = 0; i < counts.length; i += 3) {
    linkCounts.push({ label: safeNumber(counts[i], 'LinkCounts label'), count: safeNumber(counts[i + 1], 'LinkCounts count'), modified: safeNumber(counts[i + 2], 'LinkCounts time') })
  }
  const login = f.raw('l')
  return {
    username: f.string('n'),
    owner: publicKeyHashFromCbor(f.req('o'), 'UserSnapshot.o'),
    pointers,
    followRequests: f.list('f').map((r) => encodeCbor(blindFollowRequestToCbor(blindFollowRequestFromCbor(r)))),
    mirrorBats: f.list('b').map(batWithIdFromCbor),
    ...(login === undefined ? {} : { login: loginDataFromCbor(login) }),
    linkCounts,
  }
}

export function encodeUserSnapshot(s: UserSnapshot): Uint8Array {
  return encodeCbor(userSnapshotToCbor(s))
}

export function decodeUserSnapshot(bytes: Uint8Array): UserSnapshot {
  return userSnapshotFromCbor(decodeCbor(bytes, { maxDepth: 10 }))
}
