// What the social operations need from a signed-in user: the services, the user's name, identity
// (signs follow-request listings and removals, and the secret-links CHAMP), follow-request boxing key
// pair, file tree, reader and mirror BAT id.
import { PeergosError } from '../../errors.ts'
import type { BatId } from '../../model/bat-id.ts'
import type { BoxingKeyPair } from '../../model/boxing-key-pair.ts'
import type { SigningPrivateKeyAndPublicHash } from '../../model/signing-keys.ts'
import type { NetworkAccess } from '../../services/network-access.ts'
import type { FileSystem } from '../file-system.ts'
import type { TreeReader } from '../tree-reader.ts'
import type { UserContext } from '../user-context.ts'

export interface SocialContext {
  readonly net: NetworkAccess
  readonly username: string
  readonly identity: SigningPrivateKeyAndPublicHash
  readonly boxer: BoxingKeyPair
  readonly fs: FileSystem
  readonly reader: TreeReader
  /** The mirror BAT id new blocks carry (and the root of the secret-links CHAMP). */
  readonly mirrorBatId?: BatId
}

/** A legacy account without a boxing key pair in its login data (its boxer would come from scrypt). */
export class NoBoxingKeyError extends PeergosError {}

export function socialContextOf(ctx: UserContext): SocialContext {
  const boxer = ctx.entryPoints.boxer
  if (boxer === undefined) throw new NoBoxingKeyError(`${ctx.username}'s login data holds no boxing key pair (legacy account)`)
  return { net: ctx.net, username: ctx.username, identity: ctx.identity, boxer, fs: ctx.fs, reader: ctx.reader, mirrorBatId: ctx.mirrorBatId }
}
