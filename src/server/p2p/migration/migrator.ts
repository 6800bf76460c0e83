// Moving a user to another home server (reference §4.4; Peergos MirrorCoreNode.migrateUser), asked of
// the new home with the user's migration chain (their last claim re-signed naming the new server):
// - on the new home: the mirror BAT is stored, the user copied from the old home over p2p, then the old
//   home is asked for its snapshot (the difference is copied and the pointers, login data, BATs, follow
//   requests and link counts written), then asked again to commit the chain to the PKI, and the last
//   difference copied. From then on requests for the user are routed here.
// - on the old home (asked by the new one over p2p): the snapshot; with `commitToPki`, the chain is
//   sent to the PKI first, so the snapshot is final (this server now refuses the user's writes).
// - anywhere else: passed on to the new home.
// Identity, claim history, files, links and friends stay the same: only the home server changes.
import type { CID } from '../../../codec/cid.ts'
import { cidToString } from '../../../codec/cid.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { sha256BatId, type BatWithId } from '../../../model/bat-id.ts'
import { compareLocalDate } from '../../../model/local-date.ts'
import { emptyProofOfWork } from '../../../model/proof-of-work.ts'
import { chainHomeServer, mergeChains, type SigningKeyResolver, type UserPublicKeyLink } from '../../../model/user-public-key-link.ts'
import type { UserSnapshot } from '../../../model/user-snapshot.ts'
import type { CoreNode } from '../../../services/core-node.ts'
import { InvalidClaimChainError } from '../../../model/errors.ts'
import { MigrationError, UnknownUserError } from '../../../services/errors.ts'
import type { ServerBlockStore } from '../../blocks/server-block-store.ts'
import type { Logger } from '../../log.ts'
import { storageKeyResolver } from '../../services/key-resolver.ts'
import { checkUsername } from '../../services/usernames.ts'
import type { PeerServices } from '../peer-services.ts'
import { localSnapshot } from './local-snapshot.ts'
import { UserCopy, type CopyStores } from './user-copy.ts'
import type { SignedWriterPointer } from './user-writers.ts'

export interface MigratorOptions {
  readonly crypto: CryptoProvider
  /** The PKI as this server sees it (chain updates go to the PKI node through it). */
  readonly core: Pick<CoreNode, 'getChain' | 'updateChain'>
  /** Pulls this server's PKI mirror now (after the PKI changed); absent on the PKI node. */
  readonly refreshPki?: () => Promise<unknown>
  readonly isHome: (id: CID) => boolean
  readonly ourId: () => CID
  readonly peers?: PeerServices
  readonly blocks: ServerBlockStore
  readonly stores: CopyStores
  /** The user's quota here (Peergos: the migration needs at least the current usage). */
  readonly quotaOf: (username: string) => Promise<number>
  /** Called for each pointer set by a migration, once the PKI names this server (usage accounting). */
  readonly onPointerSet?: (owner: SignedWriterPointer['writer'], writer: SignedWriterPointer['writer'], target: CID | undefined) => Promise<void>
  readonly log?: Logger
}

export class Migrator {
  private readonly resolve: SigningKeyResolver

  constructor(private readonly o: MigratorOptions) {
    this.resolve = storageKeyResolver({ get: async (_owner, cid) => o.blocks.get(cid) })
  }

  async migrateUser(username: string, newChain: UserPublicKeyLink[], currentStorageId: CID, mirrorBat: BatWithId | undefined,
    linkCountsAfter: number, currentUsage: number, commitToPki: boolean): Promise<UserSnapshot> {
    checkUsername(username)
    if (newChain.length === 0 || newChain.some((l) => l.claim.username !== username)) throw new InvalidClaimChainError(`Claim chain is not for ${username}`)
    const existing = await this.o.core.getChain(username)
    if (existing.length === 0) throw new UnknownUserError(`Unknown user ${username}`)
    const currentLast = existing[existing.length - 1]
    const newLast = newChain[newChain.length - 1]
    if (compareLocalDate(currentLast.claim.expiry, newLast.claim.expiry) > 0) throw new MigrationError('Migration claim has earlier expiry than current one!')
    await mergeChains(this.o.crypto, existing, newChain, this.resolve)
    const target = chainHomeServer(newChain)
    if (target === undefined) throw new InvalidClaimChainError('The migration claim names no storage server')
    if (this.o.isHome(currentStorageId)) return this.leave(username, newChain, existing, target, linkCountsAfter, commitToPki)
    if (this.o.isHome(target)) return this.arrive(username, newChain, currentStorageId, mirrorBat, currentUsage)
    return this.remote(target).coreNode.migrateUser!(username, newChain, currentStorageId, mirrorBat, linkCountsAfter, currentUsage, commitToPki)
  }

  private remote(id: CID): ReturnType<PeerServices['of']> {
    if (this.o.peers === undefined) throw new MigrationError('Migration between servers needs p2p')
    return this.o.peers.of(id)
  }

  /** The old home: the snapshot, after committing the chain to the PKI when asked. */
  private async leave(username: string, newChain: UserPublicKeyLink[], existing: UserPublicKeyLink[], target: CID, linkCountsAfter: number, commitToPki: boolean): Promise<UserSnapshot> {
    const home = chainHomeServer(existing)
    const alreadyMoved = home !== undefined && home.equals(target)
    if (home === undefined || (!this.o.isHome(home) && !alreadyMoved)) throw new MigrationError(`${username} does not live on this server`)
    const owner = existing[existing.length - 1].owner
    if (commitToPki && !alreadyMoved) {
      const required = await this.o.core.updateChain(username, newChain, emptyProofOfWork(), '')
      if (required !== undefined) throw new MigrationError(`The PKI asks for proof of work (difficulty ${required.difficulty}) to migrate ${username}`)
      this.o.log?.info({ username, to: cidToString(target) }, 'user migrated away; their writes now go to their new home')
    }
    return localSnapshot(this.o.crypto, this.o.blocks, this.o.stores, this.resolve, username, owner, linkCountsAfter)
  }

  /** The new home: copy, snapshot, commit, last difference. */
  private async arrive(username: string, newChain: UserPublicKeyLink[], currentStorageId: CID, mirrorBat: BatWithId | undefined, currentUsage: number): Promise<UserSnapshot> {
    const o = this.o
    if ((await o.quotaOf(username)) < currentUsage) throw new MigrationError('Not enough space quota on this server to migrate here!')
    if (mirrorBat !== undefined) {
      if (!sha256BatId(o.crypto, mirrorBat.bat).equals(mirrorBat.id)) throw new MigrationError('Invalid BAT id for BAT')
      const holder = await o.stores.bats.getOwner(mirrorBat.id)
      if (holder === undefined) await o.stores.bats.add(username, mirrorBat.id, mirrorBat.bat)
      else if (holder !== username) throw new MigrationError('That BAT id is already stored')
    }
    const from = this.remote(currentStorageId)
    const owner = newChain[newChain.length - 1].owner
    const copy = new UserCopy({ crypto: o.crypto, blocks: o.blocks, stores: o.stores, resolve: this.resolve, from, ourId: o.ourId(), username, owner, mirrorBat })
    try {
      await copy.copyWriters()
      const linkTime = (await o.stores.linkCounts.latestModified(username)) ?? Number.MIN_SAFE_INTEGER
      await copy.apply(await from.coreNode.migrateUser!(username, newChain, currentStorageId, mirrorBat, linkTime, currentUsage, false))
      const final = await from.coreNode.migrateUser!(username, newChain, currentStorageId, mirrorBat, linkTime, currentUsage, true)
      await o.refreshPki?.()
      const set = await copy.apply(final)
      for (const p of set) await o.onPointerSet?.(owner, p.writer, p.target)
      o.log?.info({ username, from: cidToString(currentStorageId), blocks: copy.blocksCopied }, 'user migrated here')
      return final
    } finally {
      await copy.close().catch(() => {})
    }
  }
}

/** `core` with migrateUser answered by `migrator` (every other call passes through). */
export function withMigration(core: CoreNode, migrator: Migrator): CoreNode {
  return {
    getChain: (u) => core.getChain(u),
    signup: (u, chain, setup, pow, token) => core.signup(u, chain, setup, pow, token),
    updateChain: (u, chain, pow, token) => core.updateChain(u, chain, pow, token),
    getUsername: (k) => core.getUsername(k),
    getUsernames: (p) => core.getUsernames(p),
    getPublicKeyHash: (u) => core.getPublicKeyHash(u),
    getHomeServer: (u) => core.getHomeServer(u),
    migrateUser: (...args) => migrator.migrateUser(...args),
  }
}
