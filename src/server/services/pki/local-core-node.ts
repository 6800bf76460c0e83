// The server's PKI node (reference §4.1-§4.3, §5.3; Peergos IpfsCoreNode + SignUpFilter): usernames
// → claim chains, first come first served under one lock, append-only merges, proof of work on new
// names, signup tokens, and a signup's OpLog applied all or nothing, its pointers with the claim.
import { cidToString, equalBytes, type CID } from '../../../codec/cid.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { InvalidClaimChainError } from '../../../model/errors.ts'
import type { OpLog } from '../../../model/op-log.ts'
import { emptyProofOfWork, proofOfWorkSatisfies, type ProofOfWork } from '../../../model/proof-of-work.ts'
import type { PublicKeyHash } from '../../../model/signing-keys.ts'
import {
  chainHomeServer, chainOwner, encodeChain, mergeChains, validChain, type SigningKeyResolver, type UserPublicKeyLink,
} from '../../../model/user-public-key-link.ts'
import type { ContentAddressedStorage } from '../../../services/content-addressed-storage.ts'
import type { CoreNode, RequiredDifficulty } from '../../../services/core-node.ts'
import type { MutablePointers } from '../../../services/mutable-pointers.ts'
import { KeyedMutex } from '../../blocks/concurrency.ts'
import type { BatStore } from '../../db/bat-store.ts'
import type { LoginStore } from '../../db/login-store.ts'
import { requireKey, storageKeyResolver } from '../key-resolver.ts'
import { opLogWriterFor, type OpLogWriterFactory } from '../oplog-scope.ts'
import type { Clock } from '../signed-time.ts'
import { checkUsername, isValidUsername } from '../usernames.ts'
import { DifficultyGenerator, type DifficultyPolicy } from './difficulty.ts'
import { UnknownIdentityKeyError } from './errors.ts'
import { PkiStore, type PkiIdentity } from './pki-store.ts'
import { applyOpLog, checkOpLog, type OpLogTargets } from './signup-oplog.ts'
import { afterSignup, checkHomeServer, checkSignupAllowed, type SignupPolicy } from './signup-policy.ts'

/** IpfsCoreNode.MAX_FREE_IDENTITY_CHANGES: key changes beyond this need proof of work again. */
export const MAX_FREE_IDENTITY_CHANGES = 10
/** The PKI user's name (its identity maps to it from the start). */
export const PKI_USERNAME = 'peergos'

export type { SignupPolicy }

export interface LocalCoreNodeOptions {
  readonly crypto: CryptoProvider
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
  /** The PKI user's identity and the PKI writer (with its secret key unless read-only). */
  readonly pki: PkiIdentity
  readonly logins: LoginStore
  readonly bats: BatStore
  /** When given, a signup's claim must name one of these as home server. */
  readonly serverIds?: readonly CID[]
  /** When given, signups need a quota row, a token, or a free place; otherwise signups are open. */
  readonly signups?: SignupPolicy
  /** Default: Peergos' DifficultyGenerator at `maxSignupsPerDay` (default 20,000). */
  readonly difficulty?: DifficultyPolicy
  readonly maxSignupsPerDay?: number
  readonly maxFreeIdentityChanges?: number
  /**
   * What a signup's OpLog is written through (default: `opLogWriterFor(storage, pointers)`, the
   * OpLog-scoped views of the local services, in which the root writer's ownership is proven by the
   * identity WriterData of the same OpLog, and the OpLog's pointers and the claim commit together).
   */
  readonly oplog?: OpLogWriterFactory
  /** Tree root for a PKI writer without a pointer yet (continue an imported PKI under a new key). */
  readonly initialTree?: CID
  /** Re-validate every stored chain on load (default true); invalid entries are skipped and reported. */
  readonly verifyOnLoad?: boolean
  readonly now?: Clock
}

export class LocalCoreNode implements CoreNode {
  private readonly c: CryptoProvider
  private readonly resolve: SigningKeyResolver
  private readonly now: Clock
  private readonly difficulty: DifficultyPolicy
  private readonly store: PkiStore
  private readonly lock = new KeyedMutex()
  private readonly chains = new Map<string, UserPublicKeyLink[]>()
  private readonly reverse = new Map<string, string>()
  private readonly names: string[] = []
  /** Entries of the loaded tree that were not served (bad name, unreadable or invalid chain). */
  readonly skipped: string[] = []
  private inflight: { owner: string; username: string } | undefined
  private readonly opLogWriter: OpLogWriterFactory

  private constructor(private readonly o: LocalCoreNodeOptions) {
    this.c = o.crypto
    this.resolve = storageKeyResolver(o.storage)
    this.now = o.now ?? Date.now
    this.difficulty = o.difficulty ?? new DifficultyGenerator(this.now(), o.maxSignupsPerDay ?? 20_000)
    this.store = new PkiStore(o.crypto, o.storage, o.pointers, o.pki, this.resolve)
    this.opLogWriter = o.oplog ?? opLogWriterFor(o.storage, o.pointers)
    this.reverse.set(cidToString(o.pki.owner), PKI_USERNAME)
  }

  /** Loads the PKI from its pointer (creating the initial state when there is none and a signer is given). */
  static async open(o: LocalCoreNodeOptions): Promise<LocalCoreNode> {
    const node = new LocalCoreNode(o)
    await node.load()
    return node
  }

  private async load(): Promise<void> {
    await this.store.load(this.o.initialTree)
    for await (const e of this.store.entries()) {
      try {
        if (!isValidUsername(e.username)) throw new InvalidClaimChainError('invalid username')
        const chain = await this.store.readChain(e.chainCid)
        if (this.o.verifyOnLoad !== false && !(await validChain(this.c, chain, e.username, this.resolve))) throw new InvalidClaimChainError('invalid chain')
        this.index(e.username, chain)
      } catch {
        this.skipped.push(e.username)
      }
    }
  }

  /** The current PKI tree root (for mirrors, tests and export). */
  get treeRoot(): CID | undefined {
    return this.store.tree
  }

  private index(username: string, chain: UserPublicKeyLink[]): void {
    if (!this.chains.has(username)) this.names.push(username)
    this.chains.set(username, chain)
    for (const link of chain) this.reverse.set(cidToString(link.owner), username)
  }

  async getChain(username: string): Promise<UserPublicKeyLink[]> {
    return [...(this.chains.get(username) ?? [])]
  }

  /** The owner of the user's last claim; for the PKI user ("peergos") without a claim, the PKI identity (how mirrors learn it). */
  async getPublicKeyHash(username: string): Promise<PublicKeyHash | undefined> {
    const chain = this.chains.get(username)
    if (chain === undefined && username === PKI_USERNAME) return this.o.pki.owner
    return chainOwner(chain ?? [])
  }

  /** The PKI's identity, writer and current tree (the state mirrors pull). */
  get identity(): PkiIdentity {
    return this.o.pki
  }

  async getHomeServer(username: string): Promise<CID | undefined> {
    return chainHomeServer(this.chains.get(username) ?? [])
  }

  async getUsername(key: PublicKeyHash): Promise<string> {
    const name = this.reverse.get(cidToString(key))
    if (name === undefined) throw new UnknownIdentityKeyError(`Unknown identity key: ${cidToString(key)}`)
    return name
  }

  /**
   * The username blocks of `owner` are filed under: a registered user's, or the one being signed up
   * while its OpLog is applied (before its claim is visible). For the storage's `usernameOf`.
   */
  usernameForWrites(owner: PublicKeyHash): string | undefined {
    const k = cidToString(owner)
    return this.reverse.get(k) ?? (this.inflight?.owner === k ? this.inflight.username : undefined)
  }

  /** Registered usernames starting with `prefix`, in registration order (Peergos returns them all). */
  async getUsernames(prefix: string): Promise<string[]> {
    return this.names.filter((n) => n.startsWith(prefix))
  }

  async updateChain(username: string, chain: UserPublicKeyLink[], pow: ProofOfWork, _token: string): Promise<RequiredDifficulty | undefined> {
    return this.lock.run('pki', () => this.update(username, chain, pow))
  }

  async signup(username: string, chain: UserPublicKeyLink, setup: OpLog, pow: ProofOfWork, token: string): Promise<RequiredDifficulty | undefined> {
    return this.lock.run('pki', () => this.update(username, [chain], pow, { setup, token }))
  }

  /**
   * Registers a chain from a dump the operator trusts (`daemon --import-account`, migration):
   * validated and merged like any update, but without proof of work. Re-importing is a no-op.
   */
  async importChain(username: string, chain: UserPublicKeyLink[]): Promise<void> {
    await this.lock.run('pki', async () => {
      const existing = this.chains.get(username)
      if (existing !== undefined && equalBytes(encodeChain(existing), encodeChain(chain))) return
      await this.update(username, chain, emptyProofOfWork(), undefined, true)
    })
  }

  private async update(username: string, updated: UserPublicKeyLink[], pow: ProofOfWork, signup?: { setup: OpLog; token: string }, trusted = false): Promise<RequiredDifficulty | undefined> {
    checkUsername(username)
    if (updated.length === 0) throw new InvalidClaimChainError('Empty claim chain')
    // Peergos validates a merged chain against its first new claim's name; every claim must name this user.
    if (updated.some((l) => l.claim.username !== username)) throw new InvalidClaimChainError(`Claim chain is not for ${username}`)
    if (signup !== undefined) {
      if (this.o.serverIds !== undefined) checkHomeServer(this.o.serverIds, updated)
      await checkSignupAllowed(this.o.signups, username, signup.token)
    }
    const existing = this.chains.get(username) ?? []
    const maxFree = this.o.maxFreeIdentityChanges ?? MAX_FREE_IDENTITY_CHANGES
    if (!trusted && (existing.length === 0 || existing.length > maxFree)) {
      const difficulty = this.difficulty.currentDifficulty(this.now())
      if (!proofOfWorkSatisfies(this.c, pow, encodeChain(updated), difficulty)) return { difficulty }
      this.difficulty.addEvent()
    }
    const merged = existing.length > 0 ? await mergeChains(this.c, existing, updated, this.resolve) : await this.checkNewChain(username, updated)
    const owner = chainOwner(merged)!
    const holder = this.reverse.get(cidToString(owner))
    if (holder !== undefined && holder !== username) throw new InvalidClaimChainError('That identity key belongs to another username')

    const targets: OpLogTargets = { ...this.o, writer: this.opLogWriter, resolve: this.resolve, now: this.now }
    const checked = signup === undefined ? undefined : await checkOpLog(targets, username, owner, await requireKey(this.resolve, owner), signup.setup)
    const prepared = await this.store.prepare(username, merged)
    try {
      this.inflight = { owner: cidToString(owner), username }
      if (checked === undefined) await prepared.commit()
      else await applyOpLog(targets, username, owner, checked, { owner: this.o.pki.owner, prepared })
    } catch (e) {
      await prepared.abort().catch(() => {})
      throw e
    } finally {
      this.inflight = undefined
    }
    this.index(username, merged)
    if (signup !== undefined) await afterSignup(this.o.signups, username, signup.token)
    return undefined
  }

  /** A first claim: Peergos' merge accepts any chain for a new name; we require a valid one. */
  private async checkNewChain(username: string, chain: UserPublicKeyLink[]): Promise<UserPublicKeyLink[]> {
    if (!(await validChain(this.c, chain, username, this.resolve))) throw new InvalidClaimChainError(`Invalid claim chain for ${username}`)
    return chain
  }
}
