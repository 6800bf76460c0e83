// A server's copy of the PKI (reference §4.3; Peergos MirrorCoreNode.updateMirror): it pulls the PKI
// identity's signed pointer from the PKI node (and the named "pki" writer's, when the PKI is a Peergos
// one with a separate writer), checks the signatures and that no sequence goes back, walks only the
// CHAMP paths that changed since the tree it holds (fetching, re-hashing and storing the new blocks),
// and accepts the new tree only if every change is append-only: no username disappears, a known
// chain changes only by a valid merge, a new name carries a valid chain. Anything else refuses the
// whole update and keeps the old state. The state is saved (mirror-state.ts) before the new pointers
// are pinned in the local pointer table, which keeps the mirrored blocks from GC. Lookups are local.
import type { CID } from '../../../codec/cid.ts'
import { cidToString, equalBytes, isIdentity, verifyBlock } from '../../../codec/cid.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { verifyOwnerProof } from '../../../model/owner-proof.ts'
import { openSignedPointerUpdate, type PointerUpdate } from '../../../model/pointer-update.ts'
import type { PublicKeyHash } from '../../../model/signing-keys.ts'
import type { SigningKeyResolver, UserPublicKeyLink } from '../../../model/user-public-key-link.ts'
import { decodeWriterData, type WriterData } from '../../../model/writer-data.ts'
import type { ServerBlockStore } from '../../blocks/server-block-store.ts'
import type { PointerStore } from '../../db/pointer-store.ts'
import type { TransactionStore } from '../../db/transaction-store.ts'
import type { Logger } from '../../log.ts'
import { requireKey, storageKeyResolver } from '../key-resolver.ts'
import { PKI_USERNAME } from './local-core-node.ts'
import { loadMirrorState, saveMirrorState, type MirrorState } from './mirror-state.ts'
import { PkiChangeRefusedError, PkiMirrorError, PkiTreeChanges } from './pki-tree-changes.ts'

/** The block directory mirrored PKI blocks are filed under (the PKI user's). */
const PKI_OWNER_DIR = PKI_USERNAME

export { PkiChangeRefusedError, PkiMirrorError }

/** What the mirror reads from the PKI node (Peergos' p2p mutable pointers and block gets). */
export interface PkiSource {
  /** The PKI node's PKI identity (its `getPublicKey` of "peergos"), when it names one. */
  identity(): Promise<PublicKeyHash | undefined>
  getPointer(owner: PublicKeyHash, writer: PublicKeyHash): Promise<Uint8Array | undefined>
  getBlock(owner: PublicKeyHash, cid: CID): Promise<Uint8Array | undefined>
}

export interface PkiMirrorOptions {
  readonly crypto: CryptoProvider
  readonly blocks: ServerBlockStore
  readonly pointers: PointerStore
  readonly transactions: TransactionStore
  /** The PKI node followed (a libp2p-key CID). */
  readonly pkiNode: CID
  readonly source: PkiSource
  /** The PKI identity (Peergos `peergos.identity.hash`); by default asked of the PKI node, then kept. */
  readonly identity?: PublicKeyHash
  /** Where the state is saved (DIR/pki-mirror.cbor). */
  readonly statePath: string
  /** After a failed pull, lookup misses do not pull again for this long (default 5 s). */
  readonly missBackoffMs?: number
  readonly log?: Logger
}

interface PulledRoots {
  readonly identity: PublicKeyHash
  readonly identityPointer: Uint8Array
  readonly writer: PublicKeyHash
  readonly writerPointer?: Uint8Array
  readonly tree?: CID
  /** Blocks the WriterData link to besides the tree (owned keys...), to store with it. */
  readonly extraLinks: readonly CID[]
}

function sequenceOf(u: PointerUpdate): number {
  return u.sequence ?? 0
}

export class PkiMirror {
  private state: MirrorState | undefined
  private readonly reverse = new Map<string, string>()
  /** Claims this server registered at the PKI node that its mirror has not pulled yet. */
  private readonly local = new Map<string, UserPublicKeyLink[]>()
  /** Names in the PKI tree that were not served (invalid name or chain). */
  readonly skipped = new Set<string>()
  private readonly resolve: SigningKeyResolver
  private readonly changes: PkiTreeChanges
  private tail: Promise<unknown> = Promise.resolve()
  private waiting: Promise<boolean> | undefined
  private lastFailure = 0
  private timer: NodeJS.Timeout | undefined
  private closed = false

  private constructor(private readonly o: PkiMirrorOptions) {
    const get = async (_owner: PublicKeyHash, cid: CID): Promise<Uint8Array | undefined> => this.o.blocks.get(cid)
    this.resolve = storageKeyResolver({ get })
    this.changes = new PkiTreeChanges({ crypto: o.crypto, resolve: this.resolve, blocks: o.blocks, skipped: this.skipped, log: o.log })
  }

  /** Loads the saved state (if any) and pins its pointers again; the first pull is up to the caller. */
  static async open(o: PkiMirrorOptions): Promise<PkiMirror> {
    const m = new PkiMirror(o)
    const saved = await loadMirrorState(o.statePath)
    if (saved !== undefined) {
      m.install(saved)
      await m.pin(undefined, saved)
    }
    return m
  }

  /** The state as last accepted (undefined before the first pull). */
  get current(): MirrorState | undefined {
    return this.state
  }

  /** The PKI identity followed, once known. */
  get identity(): PublicKeyHash | undefined {
    return this.state?.identity ?? this.o.identity
  }

  chain(username: string): UserPublicKeyLink[] | undefined {
    const c = this.state?.chains.get(username) ?? this.local.get(username)
    return c === undefined ? undefined : [...c]
  }

  usernameOf(key: PublicKeyHash): string | undefined {
    const id = this.identity
    if (id !== undefined && id.equals(key)) return PKI_USERNAME
    return this.reverse.get(cidToString(key))
  }

  usernames(prefix: string): string[] {
    const names = [...(this.state?.chains.keys() ?? []), ...[...this.local.keys()].filter((n) => !this.state?.chains.has(n))]
    return names.filter((n) => n.startsWith(prefix))
  }

  /** A chain the PKI node has just accepted from this server, served until the next pull brings it. */
  addLocal(username: string, chain: readonly UserPublicKeyLink[]): void {
    this.local.set(username, [...chain])
    for (const link of chain) this.reverse.set(cidToString(link.owner), username)
  }

  /** Pulls the PKI node's state now; concurrent callers share one pull that starts after their call. Returns whether anything changed. */
  refresh(): Promise<boolean> {
    if (this.waiting !== undefined) return this.waiting
    const run = this.tail.then(() => {
      this.waiting = undefined
      return this.pull()
    })
    this.waiting = run
    this.tail = run.then(
      () => { this.lastFailure = 0 },
      (err) => {
        this.lastFailure = Date.now()
        this.o.log?.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'PKI mirror update failed')
      },
    )
    return run
  }

  /** A lookup missed: pull once (unless a pull failed within the backoff), never throwing. */
  async refreshOnMiss(): Promise<void> {
    if (this.closed || Date.now() - this.lastFailure < (this.o.missBackoffMs ?? 5_000)) return
    await this.refresh().catch(() => {})
  }

  /** Pulls now and then every `periodMs` (Peergos: every 60 s). */
  start(periodMs: number): void {
    void this.refresh().catch(() => {})
    if (periodMs <= 0) return
    this.timer = setInterval(() => void this.refresh().catch(() => {}), periodMs)
    this.timer.unref()
  }

  /** Stops the periodic pull and waits for one in flight. */
  async close(): Promise<void> {
    this.closed = true
    if (this.timer !== undefined) clearInterval(this.timer)
    await this.tail.catch(() => {})
  }

  private install(s: MirrorState): void {
    this.state = s
    this.reverse.clear()
    for (const [name, chain] of s.chains) for (const link of chain) this.reverse.set(cidToString(link.owner), name)
    for (const [name, chain] of this.local) {
      if (s.chains.has(name)) this.local.delete(name)
      else for (const link of chain) this.reverse.set(cidToString(link.owner), name)
    }
  }

  private async pull(): Promise<boolean> {
    if (this.closed) return false
    const prev = this.state
    const roots = await this.pullRoots(prev)
    if (prev !== undefined && prev.pkiNode.equals(this.o.pkiNode) && prev.identity.equals(roots.identity)
      && equalBytes(prev.identityPointer, roots.identityPointer) && sameBytes(prev.writerPointer, roots.writerPointer)) return false

    const tid = this.o.transactions.startTransaction()
    try {
      const fetch = (cid: CID): Promise<Uint8Array> => this.fetchBlock(roots.identity, cid, tid)
      for (const link of roots.extraLinks) await fetch(link)
      const updates = await this.changes.changedChains(prev, roots.tree, fetch)
      const chains = new Map(prev?.chains ?? [])
      for (const [name, chain] of updates) chains.set(name, chain)
      const next: MirrorState = {
        pkiNode: this.o.pkiNode,
        identity: roots.identity,
        writer: roots.writer,
        identityPointer: roots.identityPointer,
        ...(roots.writerPointer === undefined ? {} : { writerPointer: roots.writerPointer }),
        ...(roots.tree === undefined ? {} : { tree: roots.tree }),
        chains,
      }
      await saveMirrorState(this.o.statePath, next)
      await this.pin(prev, next)
      this.install(next)
      this.o.log?.info({ users: chains.size, changed: updates.size, tree: roots.tree === undefined ? null : cidToString(roots.tree) }, 'PKI mirror updated')
      return true
    } finally {
      await this.o.transactions.closeTransaction(roots.identity, tid).catch(() => {})
    }
  }

  /** The PKI's signed pointers and the tree they lead to, verified against what was accepted before. */
  private async pullRoots(prev: MirrorState | undefined): Promise<PulledRoots> {
    const sameNode = prev !== undefined && prev.pkiNode.equals(this.o.pkiNode)
    const identity = this.o.identity ?? (sameNode ? prev.identity : await this.o.source.identity())
    if (identity === undefined) throw new PkiMirrorError('The PKI node does not name its PKI identity (give --pki-identity)')
    const sameId = prev !== undefined && prev.identity.equals(identity)
    const idSigned = await this.o.source.getPointer(identity, identity)
    if (idSigned === undefined) throw new PkiMirrorError(`The PKI node has no pointer for the PKI identity ${cidToString(identity)}`)
    const idWd = await this.openPointer(identity, identity, idSigned, sameId ? prev.identityPointer : undefined)
    const named = idWd.namedOwnedKeys?.get('pki')
    if (named === undefined) {
      return { identity, identityPointer: idSigned, writer: identity, ...treeOf(idWd) }
    }
    // A Peergos PKI: the identity names the PKI writer, which proves it is owned by the identity.
    const writer = named.ownedKey
    if (!verifyOwnerProof(this.o.crypto, named, await requireKey(this.resolve, writer)).equals(identity)) {
      throw new PkiChangeRefusedError('The PKI writer does not prove ownership by the PKI identity')
    }
    const wSigned = await this.o.source.getPointer(identity, writer)
    if (wSigned === undefined) throw new PkiMirrorError(`The PKI node has no pointer for the PKI writer ${cidToString(writer)}`)
    const sameWriter = sameId && prev.writer.equals(writer)
    const wd = await this.openPointer(identity, writer, wSigned, sameWriter ? prev.writerPointer : undefined)
    return { identity, identityPointer: idSigned, writer, writerPointer: wSigned, ...treeOf(wd) }
  }

  /** Opens a signed pointer (no rollback against `accepted`) and reads its WriterData. */
  private async openPointer(owner: PublicKeyHash, writer: PublicKeyHash, signed: Uint8Array, accepted: Uint8Array | undefined): Promise<WriterData> {
    const key = await requireKey(this.resolve, writer)
    const update = openSignedPointerUpdate(this.o.crypto, key, signed)
    if (accepted !== undefined && !equalBytes(accepted, signed)) {
      const before = openSignedPointerUpdate(this.o.crypto, key, accepted)
      if (sequenceOf(update) <= sequenceOf(before)) throw new PkiChangeRefusedError(`The PKI pointer of ${cidToString(writer)} went back from sequence ${sequenceOf(before)} to ${sequenceOf(update)}`)
    }
    if (update.updated === null) throw new PkiChangeRefusedError(`The PKI pointer of ${cidToString(writer)} is deleted`)
    const wd = decodeWriterData(await this.fetchBlock(owner, update.updated))
    if (!wd.controller.equals(writer)) throw new PkiMirrorError(`The PKI WriterData of ${cidToString(writer)} has another controller`)
    return wd
  }

  /** A PKI block: from the local store, else from the PKI node (re-hashed, stored under the transaction). */
  private async fetchBlock(owner: PublicKeyHash, cid: CID, tid?: string): Promise<Uint8Array> {
    if (isIdentity(cid)) return cid.multihash.digest
    const local = await this.o.blocks.get(cid)
    if (local !== undefined) return local
    const remote = await this.o.source.getBlock(owner, cid)
    if (remote === undefined) throw new PkiMirrorError(`The PKI node does not have block ${cidToString(cid)}`)
    verifyBlock(this.o.crypto, cid, remote)
    if (tid !== undefined) await this.o.transactions.addBlocks(owner, tid, [cid])
    await this.o.blocks.put(PKI_OWNER_DIR, cid, remote)
    return remote
  }

  /** Puts the accepted PKI pointers in the local pointer table (GC roots of the mirrored blocks) and drops pins no longer followed. */
  private async pin(prev: MirrorState | undefined, next: MirrorState): Promise<void> {
    const pins = new Map<string, { writer: PublicKeyHash; signed: Uint8Array }>([[cidToString(next.identity), { writer: next.identity, signed: next.identityPointer }]])
    if (next.writerPointer !== undefined) pins.set(cidToString(next.writer), { writer: next.writer, signed: next.writerPointer })
    for (const { writer, signed } of pins.values()) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const stored = await this.o.pointers.get(writer)
        if (stored !== undefined && equalBytes(stored, signed)) break
        if (await this.o.pointers.compareAndSet(writer, stored, signed)) break
      }
    }
    if (prev === undefined) return
    for (const old of [prev.identity, prev.writer]) if (!pins.has(cidToString(old))) await this.o.pointers.remove(old)
  }
}

function treeOf(wd: WriterData): { tree?: CID; extraLinks: CID[] } {
  const links = cborLinksOfWriterData(wd)
  return { ...(wd.tree === undefined ? {} : { tree: wd.tree }), extraLinks: links.filter((l) => wd.tree === undefined || !l.equals(wd.tree)) }
}

function cborLinksOfWriterData(wd: WriterData): CID[] {
  return [wd.ownedKeys, wd.publicData, wd.secretLinks, wd.tree].filter((l): l is CID => l !== undefined && !isIdentity(l))
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined || b === undefined ? a === b : equalBytes(a, b)
}
