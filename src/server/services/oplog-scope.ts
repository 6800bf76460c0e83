// Writing a signup's OpLog through the validating services (reference §3.4, §5.3): its writers' right
// to write for the new identity is proven by the OpLog itself (the identity's not-yet-committed
// WriterData owns the root writer), and its pointers become visible in one transaction.
import { binaryKey } from '../../champ/block-store.ts'
import { blockCid, type CID } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import type { SignedPointerUpdate } from '../../model/multi-writer-commit.ts'
import type { BlockWrite } from '../../model/op-log-writes.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { ContentAddressedStorage } from '../../services/content-addressed-storage.ts'
import type { MutablePointers } from '../../services/mutable-pointers.ts'
import type { PendingOwnership } from './ownership.ts'

export type { PendingOwnership } from './ownership.ts'

/** One owner's pointer updates within a multi-owner commit. */
export interface PointerGroup {
  readonly owner: PublicKeyHash
  readonly updates: readonly SignedPointerUpdate[]
}

/** What applying an OpLog writes through, scoped to that OpLog's pending state. */
export interface OpLogWriter extends Pick<ContentAddressedStorage, 'startTransaction' | 'closeTransaction' | 'put'> {
  /**
   * Validates every update (each against its group's owner, ownership read through the OpLog), then
   * applies them all in one transaction: all or none. False (or a thrown error) means none.
   */
  setPointerGroups(groups: readonly PointerGroup[]): Promise<boolean>
}

export type OpLogWriterFactory = (pending: PendingOwnership) => OpLogWriter

/** A service that can be scoped to one OpLog (LocalContentAddressedStorage, LocalMutablePointers). */
export interface OpLogScoped<T> {
  forOpLog(pending: PendingOwnership): T
}

function scoped<T>(service: object): OpLogScoped<T> | undefined {
  return typeof (service as Partial<OpLogScoped<T>>).forOpLog === 'function' ? (service as OpLogScoped<T>) : undefined
}

/**
 * The OpLog writer of a storage and pointer service: their OpLog-scoped views when they have them
 * (the server's local services), else the services themselves, with groups applied one after the
 * other (not atomic; for implementations that prove nothing by OpLog anyway).
 */
export function opLogWriterFor(storage: ContentAddressedStorage, pointers: MutablePointers): OpLogWriterFactory {
  return (pending) => {
    const s = scoped<Pick<ContentAddressedStorage, 'startTransaction' | 'closeTransaction' | 'put'>>(storage)?.forOpLog(pending) ?? storage
    const p = scoped<Pick<OpLogWriter, 'setPointerGroups'>>(pointers)?.forOpLog(pending)
    return {
      startTransaction: (owner) => s.startTransaction(owner),
      closeTransaction: (owner, tid) => s.closeTransaction(owner, tid),
      put: (owner, writer, signatures, blocks, tid, raw) => s.put(owner, writer, signatures, blocks, tid, raw),
      setPointerGroups: p !== undefined ? (groups) => p.setPointerGroups(groups) : async (groups) => {
        for (const g of groups) if (g.updates.length > 0 && !(await pointers.setPointers(g.owner, [...g.updates]))) return false
        return true
      },
    }
  }
}

/**
 * The pending state of an OpLog whose block signatures and pointer updates were checked: the dag-cbor
 * blocks by the CID of their bytes, and each writer's new pointer target.
 */
export function pendingOwnership(c: CryptoProvider, blocks: readonly BlockWrite[], targets: ReadonlyMap<string, CID | null>): PendingOwnership {
  const byCid = new Map<string, Uint8Array>()
  for (const b of blocks) if (!b.isRaw) byCid.set(binaryKey(blockCid(c, b.block, false).bytes), b.block)
  return {
    target: (writer) => targets.get(binaryKey(writer.bytes)),
    block: (cid) => byCid.get(binaryKey(cid.bytes)),
  }
}

/** The key of a writer in the `targets` map given to pendingOwnership. */
export function writerKey(writer: PublicKeyHash): string {
  return binaryKey(writer.bytes)
}
