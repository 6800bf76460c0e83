// Retiring writing spaces (reference §3.4, §6.4; Peergos CryptreeNode.deAuthoriseSigner,
// FileWrapper.removeSigningKey): a writer that no longer holds anything reachable leaves its parent
// writer's owned-keys CHAMP (so the server refuses any further write signed by it) and its pointer is
// cleared (so its blocks are unreferenced and its space is freed). Unlike Peergos, which commits these
// one after the other, both go into the same setPointers call as the change that unlinks the subtree:
// all or nothing.
import { blockCid, cidToString } from '../codec/cid.ts'
import { Champ, type BlockStore } from '../champ/index.ts'
import { ownedKeyChampKey } from '../model/owner-proof.ts'
import { pointerUpdate, signPointerUpdate } from '../model/pointer-update.ts'
import type { PublicKeyHash } from '../model/signing-keys.ts'
import { emptyWriterData } from '../model/writer-data.ts'
import { NotFoundError } from './errors.ts'
import { applyTogether, type PreparedCommit, type WriterSession } from './writer-session.ts'
import { WriterTx } from './writer-tx.ts'

/** WriterData.removeOwnedKey: drops `owned` from the owned-keys CHAMP of the transaction's writer (nothing when absent). */
export async function removeOwnedKey(tx: WriterTx, owned: PublicKeyHash): Promise<void> {
  const root = tx.ownedKeys
  if (root === undefined) return
  const s = tx.session
  const store: BlockStore = {
    trusted: true,
    get: async (cid) => {
      const cached = s.cache.get(cid)
      if (cached !== undefined) return cached
      const block = await s.storage.get(s.owner, cid)
      if (block === undefined) return undefined
      if (!blockCid(s.crypto, block, false).equals(cid)) throw new NotFoundError(`Block ${cidToString(cid)} does not hash to its CID`)
      s.cache.set(cid, block)
      return block
    },
    put: async (block, raw) => tx.stage(block, raw),
  }
  const champ = new Champ({ store, crypto: s.crypto, keyHash: 'identity' })
  const key = ownedKeyChampKey(owned)
  const current = await champ.get(root, key)
  if (current === undefined) return
  tx.ownedKeys = await champ.remove(root, key, current)
  tx.dirty = true
}

/** A cleared pointer for a retired writer: its WriterData goes, sequence + 1 (undefined when it has no pointer). */
function clearedPointer(tx: WriterTx): PreparedCommit | undefined {
  const s = tx.session
  const base = tx.base
  if (base.cid === undefined) return undefined
  const sequence = base.sequence + 1
  const signed = signPointerUpdate(s.crypto, s.signer.secretKey, pointerUpdate(base.cid, null, sequence))
  return { session: s, signed, committed: { data: emptyWriterData(s.writer), sequence } }
}

export interface WriterChange {
  /** Writers whose changes are committed. */
  readonly update: readonly WriterSession[]
  /** Writers read in the same snapshot (their transactions come after those of `update`) and then cleared. */
  readonly retire: readonly WriterSession[]
}

/**
 * Runs `op` on the latest versions of the `update` writers and the `retire` writers (all of one owner),
 * then commits the updates and clears the retired writers' pointers in one setPointers call; on a CAS
 * failure everything is re-read and `op` runs again. Whatever `op` stages for a retired writer is dropped.
 */
export function applyAndRetire<T>(w: WriterChange, op: (txs: WriterTx[]) => Promise<T>): Promise<T> {
  return applyTogether(w.update, op, { sessions: w.retire, clear: clearedPointer })
}
