// The server's MutablePointers (reference §3.3, §7.3; Peergos UserRepository.setPointer/setPointers,
// MutablePointers.isValidUpdate): every update is checked for size, writer signature, CAS, increasing
// sequence, WriterData controller and (ours) the writer's ownership, then applied by an atomic CAS.
import type { CID } from '../../codec/cid.ts'
import { cidToString } from '../../codec/cid.ts'
import { InvalidSignatureError } from '../../crypto/errors.ts'
import { InvalidObjectError } from '../../model/errors.ts'
import type { SignedPointerUpdate } from '../../model/multi-writer-commit.ts'
import { checkPointerTransition, MAX_POINTER_SIZE, openSignedPointerUpdate, type PointerUpdate } from '../../model/pointer-update.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { MissingBlockError, WriterNotAllowedError } from '../../services/errors.ts'
import type { MutablePointers } from '../../services/mutable-pointers.ts'
import type { ServiceContext } from './context.ts'
import type { OpLogScoped, OpLogWriter, PendingOwnership, PointerGroup } from './oplog-scope.ts'

/** Called after a pointer changed (usage accounting): old and new WriterData targets, undefined = none. */
export type PointerChangeHook = (owner: PublicKeyHash, writer: PublicKeyHash, oldTarget: CID | undefined, newTarget: CID | undefined) => void | Promise<void>

export interface LocalMutablePointersOptions {
  readonly onPointerChange?: PointerChangeHook
  /** Receives errors thrown by onPointerChange (the pointer is already committed; the caller still gets true). */
  readonly onHookError?: (e: unknown) => void
  /** Times a CAS lost to a concurrent update is re-validated and retried before giving up (default 3). */
  readonly casRetries?: number
}

interface Validated {
  readonly owner: PublicKeyHash
  readonly writer: PublicKeyHash
  readonly signed: Uint8Array
  readonly next: PointerUpdate
  /** The stored bytes the update was validated against (the CAS expectation). */
  currentSigned: Uint8Array | undefined
  oldTarget: CID | undefined
}

/** setPointer answers `false` where Peergos does (bad signature, controller mismatch); setPointers throws instead. */
type Mode = 'single' | 'multi'

export class LocalMutablePointers implements MutablePointers, OpLogScoped<Pick<OpLogWriter, 'setPointerGroups'>> {
  private readonly casRetries: number

  constructor(private readonly ctx: ServiceContext, private readonly options: LocalMutablePointersOptions = {}) {
    this.casRetries = options.casRetries ?? 3
  }

  async getPointer(_owner: PublicKeyHash, writer: PublicKeyHash): Promise<Uint8Array | undefined> {
    return this.ctx.pointerStore.get(writer)
  }

  async setPointer(owner: PublicKeyHash, writer: PublicKeyHash, signedUpdate: Uint8Array): Promise<boolean> {
    const v = await this.validate(owner, writer, signedUpdate, 'single')
    if (v === false) return false
    for (let attempt = 0; ; attempt++) {
      if (await this.ctx.pointerStore.compareAndSet(writer, v.currentSigned, v.signed)) break
      if (attempt >= this.casRetries) return false
      await this.recheck(v) // a concurrent update won: usually a CasFailedError now
    }
    await this.changed([v])
    return true
  }

  async setPointers(owner: PublicKeyHash, updates: SignedPointerUpdate[]): Promise<boolean> {
    return this.setPointerGroups([{ owner, updates }])
  }

  /** setPointers for several owners at once (a signup: the new user's writers and the PKI's): all or none. */
  setPointerGroups(groups: readonly PointerGroup[]): Promise<boolean> {
    return this.applyGroups(groups, undefined)
  }

  /** This service as seen by a signup's OpLog: ownership may be proven by the OpLog's pending WriterData. */
  forOpLog(pending: PendingOwnership): Pick<OpLogWriter, 'setPointerGroups'> {
    return { setPointerGroups: (groups) => this.applyGroups(groups, pending) }
  }

  private async applyGroups(groups: readonly PointerGroup[], pending: PendingOwnership | undefined): Promise<boolean> {
    const updates = groups.flatMap((g) => g.updates.map((u) => ({ owner: g.owner, ...u })))
    if (updates.length === 0) return true
    if (new Set(updates.map((u) => cidToString(u.writer))).size !== updates.length) return false
    const validated = await Promise.all(updates.map((u) => this.validate(u.owner, u.writer, u.signed, 'multi', pending) as Promise<Validated>))
    for (let attempt = 0; ; attempt++) {
      const applied = await this.ctx.pointerStore.setMany(validated.map((v) => ({ writer: v.writer, expected: v.currentSigned, next: v.signed })))
      if (applied) break
      if (attempt >= this.casRetries) return false
      for (const v of validated) await this.recheck(v)
    }
    await this.changed(validated)
    return true
  }

  /**
   * UserRepository.setPointer's checks, in its order: size, the writer's key, the signature, CAS and
   * sequence against the stored pointer, then the new WriterData (present here, controller == writer);
   * finally ours: a non-deleting update needs the writer to be the owner or owned by it (within an
   * OpLog, possibly through the OpLog's own pending WriterData).
   */
  private async validate(owner: PublicKeyHash, writer: PublicKeyHash, signed: Uint8Array, mode: Mode, pending?: PendingOwnership): Promise<Validated | false> {
    if (signed.length > MAX_POINTER_SIZE) throw new InvalidObjectError(`Pointer update too big! ${signed.length}`)
    const key = await this.ctx.keys.get(writer)
    if (key === undefined) throw new MissingBlockError(`Couldn't retrieve writer key from ipfs with hash ${cidToString(writer)}`)
    let next: PointerUpdate
    try {
      next = openSignedPointerUpdate(this.ctx.crypto, key, signed)
    } catch (e) {
      if (mode === 'single' && e instanceof InvalidSignatureError) return false
      throw e
    }
    let current = await this.ctx.currentPointer(writer, true)
    try {
      checkPointerTransition(current?.update, next)
    } catch {
      // the remembered pointer is stale only if another process shares the database: decide on the stored one
      current = await this.ctx.currentPointer(writer)
      checkPointerTransition(current?.update, next)
    }
    if (next.updated !== null) {
      const wd = await this.ctx.writerData.get(next.updated, true)
      if (!wd.controller.equals(writer)) {
        if (mode === 'single') return false
        throw new InvalidObjectError(`WriterData controller mismatch for ${cidToString(writer)}`)
      }
      if (!(await this.ctx.ownership.isAllowed(owner, writer, pending))) {
        throw new WriterNotAllowedError(`Key not allowed to write to this server: ${cidToString(writer)}`)
      }
    }
    return { owner, writer, signed, next, currentSigned: current?.signed, oldTarget: current?.update.updated ?? undefined }
  }

  /** After a lost CAS: validates the update again against the pointer now stored (throws CasFailedError or InvalidSequenceError). */
  private async recheck(v: Validated): Promise<void> {
    const current = await this.ctx.currentPointer(v.writer)
    checkPointerTransition(current?.update, v.next)
    v.currentSigned = current?.signed
    v.oldTarget = current?.update.updated ?? undefined
  }

  private async changed(applied: readonly Validated[]): Promise<void> {
    const hook = this.options.onPointerChange
    if (hook === undefined) return
    for (const v of applied) {
      try {
        await hook(v.owner, v.writer, v.oldTarget, v.next.updated ?? undefined)
      } catch (e) {
        this.options.onHookError?.(e)
      }
    }
  }
}
