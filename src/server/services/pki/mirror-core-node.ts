// The CoreNode of a server that is not the PKI node (reference §4.3, §5.3; Peergos MirrorCoreNode):
// lookups answered from the local PKI mirror (pulled again at once on a miss), so which user someone
// looks up never leaves the server; a signup is checked here (home server, signup policy, claim, the
// whole OpLog), its claim registered at the PKI node over p2p (which enforces uniqueness, proof of
// work and rate limits), then its OpLog applied locally; chain updates are forwarded the same way.
import { cidToString, type CID } from '../../../codec/cid.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { InvalidClaimChainError } from '../../../model/errors.ts'
import type { OpLog } from '../../../model/op-log.ts'
import type { ProofOfWork } from '../../../model/proof-of-work.ts'
import type { PublicKeyHash } from '../../../model/signing-keys.ts'
import {
  chainHomeServer, chainOwner, validChain, type SigningKeyResolver, type UserPublicKeyLink,
} from '../../../model/user-public-key-link.ts'
import type { ContentAddressedStorage } from '../../../services/content-addressed-storage.ts'
import type { CoreNode, RequiredDifficulty } from '../../../services/core-node.ts'
import type { MutablePointers } from '../../../services/mutable-pointers.ts'
import { KeyedMutex } from '../../blocks/concurrency.ts'
import type { BatStore } from '../../db/bat-store.ts'
import type { LoginStore } from '../../db/login-store.ts'
import type { Logger } from '../../log.ts'
import { requireKey, storageKeyResolver } from '../key-resolver.ts'
import { opLogWriterFor, type OpLogWriterFactory } from '../oplog-scope.ts'
import type { Clock } from '../signed-time.ts'
import { checkUsername } from '../usernames.ts'
import { UnknownIdentityKeyError } from './errors.ts'
import { PKI_USERNAME } from './local-core-node.ts'
import type { PkiMirror } from './pki-mirror.ts'
import { applyOpLog, checkOpLog, type OpLogTargets } from './signup-oplog.ts'
import { afterSignup, checkHomeServer, checkSignupAllowed, type SignupPolicy } from './signup-policy.ts'

export interface MirrorCoreNodeOptions {
  readonly crypto: CryptoProvider
  readonly mirror: PkiMirror
  /** The PKI node's CoreNode (HTTP over p2p): where claims are registered. */
  readonly pki: CoreNode
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
  readonly logins: LoginStore
  readonly bats: BatStore
  /** This server's peer ids: a signup's claim must name one. */
  readonly serverIds: readonly CID[]
  /** Who may sign up here (default: anyone). */
  readonly signups?: SignupPolicy
  /** What a signup's OpLog is written through (default: the OpLog-scoped views of `storage` and `pointers`). */
  readonly oplog?: OpLogWriterFactory
  readonly now?: Clock
  readonly log?: Logger
}

export class MirrorCoreNode implements CoreNode {
  private readonly resolve: SigningKeyResolver
  private readonly lock = new KeyedMutex()
  private readonly targets: OpLogTargets

  constructor(private readonly o: MirrorCoreNodeOptions) {
    this.resolve = storageKeyResolver(o.storage)
    this.targets = {
      crypto: o.crypto, storage: o.storage, pointers: o.pointers, logins: o.logins, bats: o.bats,
      writer: o.oplog ?? opLogWriterFor(o.storage, o.pointers), resolve: this.resolve, now: o.now ?? Date.now,
    }
  }

  get mirror(): PkiMirror {
    return this.o.mirror
  }

  /** A lookup from the mirror, pulled again once if it misses. */
  private async lookup<T>(find: () => T | undefined): Promise<T | undefined> {
    const found = find()
    if (found !== undefined) return found
    await this.o.mirror.refreshOnMiss()
    return find()
  }

  async getChain(username: string): Promise<UserPublicKeyLink[]> {
    return (await this.lookup(() => this.o.mirror.chain(username))) ?? []
  }

  async getPublicKeyHash(username: string): Promise<PublicKeyHash | undefined> {
    const chain = await this.lookup(() => this.o.mirror.chain(username))
    if (chain === undefined && username === PKI_USERNAME) return this.o.mirror.identity
    return chainOwner(chain ?? [])
  }

  async getHomeServer(username: string): Promise<CID | undefined> {
    return chainHomeServer(await this.getChain(username))
  }

  async getUsername(key: PublicKeyHash): Promise<string> {
    const name = await this.lookup(() => this.o.mirror.usernameOf(key))
    if (name === undefined) throw new UnknownIdentityKeyError(`Unknown identity key: ${cidToString(key)}`)
    return name
  }

  async getUsernames(prefix: string): Promise<string[]> {
    return this.o.mirror.usernames(prefix)
  }

  /** The username blocks of `owner` are filed under (the mirror, including claims just registered here). */
  usernameForWrites(owner: PublicKeyHash): string | undefined {
    return this.o.mirror.usernameOf(owner)
  }

  /**
   * MirrorCoreNode.signup: everything that can be checked here is checked before the claim goes to the
   * PKI node (a refused OpLog must not leave a name taken); then the OpLog applies locally.
   */
  async signup(username: string, chain: UserPublicKeyLink, setup: OpLog, pow: ProofOfWork, token: string): Promise<RequiredDifficulty | undefined> {
    checkUsername(username)
    if (chain.claim.username !== username) throw new InvalidClaimChainError(`Claim chain is not for ${username}`)
    checkHomeServer(this.o.serverIds, [chain])
    return this.lock.run(`signup:${username}`, async () => {
      await checkSignupAllowed(this.o.signups, username, token)
      if (!(await validChain(this.o.crypto, [chain], username, this.resolve))) throw new InvalidClaimChainError(`Invalid claim chain for ${username}`)
      const checked = await checkOpLog(this.targets, username, chain.owner, await requireKey(this.resolve, chain.owner), setup)
      const required = await this.o.pki.updateChain(username, [chain], pow, token)
      if (required !== undefined) return required
      this.o.mirror.addLocal(username, [chain])
      await applyOpLog(this.targets, username, chain.owner, checked)
      await afterSignup(this.o.signups, username, token)
      this.pullSoon()
      return undefined
    })
  }

  /** Forwarded to the PKI node; once accepted, the mirror is pulled before answering. */
  async updateChain(username: string, chain: UserPublicKeyLink[], pow: ProofOfWork, token: string): Promise<RequiredDifficulty | undefined> {
    checkUsername(username)
    const required = await this.o.pki.updateChain(username, chain, pow, token)
    if (required === undefined) await this.o.mirror.refresh().catch((err) => this.o.log?.warn({ err }, 'PKI mirror not updated after a chain update'))
    return required
  }

  private pullSoon(): void {
    void this.o.mirror.refresh().catch(() => {})
  }
}
