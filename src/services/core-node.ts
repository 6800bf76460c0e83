// The CoreNode (PKI) service (reference §4.1-§4.3): usernames → claim chains (identity key and
// home server), append-only, first come first served; signup applies an OpLog atomically.
import type { CID } from '../codec/cid.ts'
import type { BatWithId } from '../model/bat-id.ts'
import type { OpLog } from '../model/op-log.ts'
import type { ProofOfWork } from '../model/proof-of-work.ts'
import type { PublicKeyHash } from '../model/signing-keys.ts'
import type { UserPublicKeyLink } from '../model/user-public-key-link.ts'
import type { UserSnapshot } from '../model/user-snapshot.ts'

/** The difficulty a server asks for before it accepts a signup or chain update. */
export interface RequiredDifficulty {
  readonly difficulty: number
}

export interface CoreNode {
  getChain(username: string): Promise<UserPublicKeyLink[]>
  /** Registers a username with its first claim and the account's setup operations; returns a difficulty when more proof of work is needed. */
  signup(username: string, chain: UserPublicKeyLink, setup: OpLog, pow: ProofOfWork, token: string): Promise<RequiredDifficulty | undefined>
  updateChain(username: string, chain: UserPublicKeyLink[], pow: ProofOfWork, token: string): Promise<RequiredDifficulty | undefined>
  getUsername(key: PublicKeyHash): Promise<string>
  getUsernames(prefix: string): Promise<string[]>
  getPublicKeyHash(username: string): Promise<PublicKeyHash | undefined>
  getHomeServer(username: string): Promise<CID | undefined>
  /**
   * MirrorCoreNode.migrateUser (reference §4.4): `newChain` moves the user's home to its last claim's
   * server. Asked of the new home server, it copies the user's data from `currentStorageId` and has
   * that server commit the chain to the PKI; asked of the old one, it returns the user's snapshot
   * (committing the chain when `commitToPki`). `latestLinkCountUpdate` is in epoch seconds. Only
   * servers that can migrate users implement it.
   */
  migrateUser?(username: string, newChain: UserPublicKeyLink[], currentStorageId: CID, mirrorBat: BatWithId | undefined,
    latestLinkCountUpdate: number, currentUsage: number, commitToPki: boolean): Promise<UserSnapshot>
}
