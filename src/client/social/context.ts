// What the social operations need from a signed-in user: the services, the user's name, identity
// (signs follow-request listings and removals, and the secret-links CHAMP), follow-request boxing key
// pair, file tree, reader and mirror BAT id; the home directory and its writer session (for batched
// commits); and lookups memoised for the session.
import { PeergosError } from '../../errors.ts'
import type { BatId } from '../../model/bat-id.ts'
import type { BoxingKeyPair } from '../../model/boxing-key-pair.ts'
import type { Groups } from '../../model/groups.ts'
import type { WritableAbsoluteCapability } from '../../model/capability.ts'
import type { PublicKeyHash, SigningPrivateKeyAndPublicHash } from '../../model/signing-keys.ts'
import type { NetworkAccess } from '../../services/network-access.ts'
import type { FileSystem } from '../file-system.ts'
import type { TreeReader } from '../tree-reader.ts'
import type { UserContext } from '../user-context.ts'
import type { WriterSession } from '../writer-session.ts'
import type { PublicKeys } from './public-keys.ts'

export interface SocialContext {
  readonly net: NetworkAccess
  readonly username: string
  readonly identity: SigningPrivateKeyAndPublicHash
  readonly boxer: BoxingKeyPair
  readonly fs: FileSystem
  readonly reader: TreeReader
  /** The mirror BAT id new blocks carry (and the root of the secret-links CHAMP). */
  readonly mirrorBatId?: BatId
  /** The home directory and its writer's session: batches of social file changes commit through it (batch.ts). */
  readonly home: WritableAbsoluteCapability
  readonly rootWriter: WriterSession
  /** What this session learnt that does not change under it (public keys, checked entry points). */
  readonly memo: SocialMemo
}

/** Lookups kept for the session: users' public keys, and the entry points already checked. */
export interface SocialMemo {
  readonly publicKeys: Map<string, Promise<PublicKeys>>
  readonly checkedEntries: Set<string>
  /** Users' identities from the PKI (by username). */
  readonly identities: Map<string, Promise<PublicKeyHash | undefined>>
  /** Whether an identity owns a writing key ("<identity>|<writer>"). */
  readonly owns: Map<string, Promise<boolean>>
  /** Our group uids, once .groups.cbor is written (it never changes). */
  readonly groups: { value?: Groups }
}

/** A legacy account without a boxing key pair in its login data (its boxer would come from scrypt). */
export class NoBoxingKeyError extends PeergosError {}

export function socialContextOf(ctx: UserContext): SocialContext {
  const boxer = ctx.entryPoints.boxer
  if (boxer === undefined) throw new NoBoxingKeyError(`${ctx.username}'s login data holds no boxing key pair (legacy account)`)
  return {
    net: ctx.net, username: ctx.username, identity: ctx.identity, boxer, fs: ctx.fs, reader: ctx.reader, mirrorBatId: ctx.mirrorBatId,
    home: ctx.home, rootWriter: ctx.rootWriter, memo: { publicKeys: new Map(), checkedEntries: new Set(), identities: new Map(), owns: new Map(), groups: {} },
  }
}
