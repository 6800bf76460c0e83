// A signup's OpLog (reference §5.3 step 9; Peergos IpfsCoreNode.applyOpLog), all or nothing: every
// block signature, pointer update (signature, CAS, sequence, controller), the login data's identity
// signature and the mirror BAT's signed request are checked before anything is written.
import { cidToString, equalBytes, type CID } from '../../../codec/cid.ts'
import { InvalidSignatureError } from '../../../crypto/errors.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { PeergosError } from '../../../errors.ts'
import { InvalidBatError, type Bat } from '../../../model/bat.ts'
import type { SignedPointerUpdate } from '../../../model/multi-writer-commit.ts'
import type { BlockWrite } from '../../../model/op-log-writes.ts'
import type { OpLog } from '../../../model/op-log.ts'
import { validateSignedPointerUpdate } from '../../../model/pointer-update.ts'
import type { PublicKeyHash } from '../../../model/signing-keys.ts'
import type { SigningKeyResolver } from '../../../model/user-public-key-link.ts'
import { decodeWriterData } from '../../../model/writer-data.ts'
import { MAX_BLOCK_SIZE, type ContentAddressedStorage } from '../../../services/content-addressed-storage.ts'
import type { MutablePointers } from '../../../services/mutable-pointers.ts'
import type { BatStore } from '../../db/bat-store.ts'
import type { LoginRow, LoginStore } from '../../db/login-store.ts'
import { requireKey } from '../key-resolver.ts'
import { loginRowOf, verifyLoginAuth } from '../local-account.ts'
import { ADD_BAT_PATH, checkMirrorBat } from '../local-bat-cave.ts'
import { pendingOwnership, writerKey, type OpLogWriterFactory, type PendingOwnership } from '../oplog-scope.ts'
import { LOGIN_AUTH_WINDOW_SECONDS, verifySignedRequest, type Clock } from '../signed-time.ts'
import type { PreparedPkiUpdate } from './pki-store.ts'

/** The OpLog is inconsistent or would not apply (wrong username, duplicate writer, controller mismatch...). */
export class InvalidOpLogError extends PeergosError {}

/** More operations than any signup writes (Peergos' whole OpLog body is capped at 64 KiB). */
export const MAX_OPLOG_OPERATIONS = 1000

export interface OpLogTargets {
  readonly crypto: CryptoProvider
  /** Reads only (pointer targets already stored); writes go through `writer`. */
  readonly storage: Pick<ContentAddressedStorage, 'get'>
  readonly pointers: Pick<MutablePointers, 'getPointer'>
  /** The storage and pointers scoped to one OpLog (ownership provable by the OpLog itself). */
  readonly writer: OpLogWriterFactory
  readonly logins: LoginStore
  readonly bats: BatStore
  readonly resolve: SigningKeyResolver
  readonly now: Clock
}

/** An OpLog that passed every check, ready to apply. */
export interface CheckedOpLog {
  readonly blocks: readonly BlockWrite[]
  readonly pointers: readonly SignedPointerUpdate[]
  /** Its writers' new WriterData and its blocks, through which its writers' ownership is read. */
  readonly pending: PendingOwnership
  readonly login?: LoginRow
  readonly bat?: { readonly id: CID; readonly bat: Bat }
}

/** What becomes visible in the same transaction as the OpLog's pointers: the PKI's new claim. */
export interface ClaimCommit {
  readonly owner: PublicKeyHash
  readonly prepared: PreparedPkiUpdate
}

async function checkBlock(t: OpLogTargets, w: BlockWrite): Promise<void> {
  if (w.block.length > MAX_BLOCK_SIZE) throw new InvalidOpLogError(`Block of ${w.block.length} bytes is larger than ${MAX_BLOCK_SIZE}`)
  const signed = t.crypto.openAttached(w.signature, await requireKey(t.resolve, w.writer))
  if (!equalBytes(signed, t.crypto.sha256(w.block))) throw new InvalidSignatureError('Block signature is not of the block hash')
}

/** Checks everything (reads only). `identity` is the new user's key from the claim being registered. */
export async function checkOpLog(t: OpLogTargets, username: string, owner: PublicKeyHash, identityKey: Uint8Array, log: OpLog): Promise<CheckedOpLog> {
  if (log.operations.length > MAX_OPLOG_OPERATIONS) throw new InvalidOpLogError(`More than ${MAX_OPLOG_OPERATIONS} operations`)
  const blocks: BlockWrite[] = []
  const pointers: SignedPointerUpdate[] = []
  for (const op of log.operations) {
    if (op.kind === 'block') blocks.push(op.write)
    else pointers.push({ writer: op.write.writer, signed: op.write.signedUpdate })
  }
  for (const b of blocks) await checkBlock(t, b)
  const targets = new Map<string, CID | null>()
  const pending = pendingOwnership(t.crypto, blocks, targets)

  for (const p of pointers) {
    const w = writerKey(p.writer)
    if (targets.has(w)) throw new InvalidOpLogError('Two pointer updates for one writer')
    const key = await requireKey(t.resolve, p.writer)
    const update = validateSignedPointerUpdate(t.crypto, key, await t.pointers.getPointer(owner, p.writer), p.signed)
    targets.set(w, update.updated)
    if (update.updated === null) continue
    const wd = pending.block(update.updated) ?? (await t.storage.get(owner, update.updated))
    if (wd === undefined) throw new InvalidOpLogError(`Pointer target ${update.updated.toString()} is not in the OpLog or storage`)
    if (!decodeWriterData(wd).controller.equals(p.writer)) throw new InvalidOpLogError(`WriterData controller mismatch for ${cidToString(p.writer)}`)
  }

  let login: LoginRow | undefined
  if (log.login !== undefined) {
    const data = log.login.data
    if (data.username !== username) throw new InvalidOpLogError('Invalid signup data!')
    if (data.identityUpdate !== undefined) throw new InvalidOpLogError('Signup login data cannot carry an identity update')
    verifyLoginAuth(t.crypto, data, log.login.auth, identityKey)
    login = loginRowOf(data)
  }

  let bat: CheckedOpLog['bat']
  if (log.mirrorBat !== undefined) {
    const { bat: b, auth } = log.mirrorBat
    // The client signs this request before scrypt and PoW, so it gets the login window, not 300 s.
    verifySignedRequest(t.crypto, auth, identityKey, ADD_BAT_PATH, LOGIN_AUTH_WINDOW_SECONDS, t.now())
    checkMirrorBat(t.crypto, b.id, b.bat)
    const holder = await t.bats.getOwner(b.id)
    if (holder !== undefined && holder !== username) throw new InvalidBatError('That BAT id is already stored')
    if (holder === undefined) bat = { id: b.id, bat: b.bat }
  }
  return { blocks, pointers, pending, ...(login === undefined ? {} : { login }), ...(bat === undefined ? {} : { bat }) }
}

/**
 * Applies a checked OpLog, all or nothing: its blocks (in a transaction, through the OpLog-scoped
 * storage: a writer's ownership may be proven by the OpLog's own WriterData), the login row and the
 * mirror BAT (both undone on failure), then its pointers and the PKI's claim in one transaction
 * (on a PKI mirror the claim is already at the PKI node: `claim` is absent). Blocks written before a
 * failure are left unreferenced, for GC.
 */
export async function applyOpLog(t: OpLogTargets, username: string, owner: PublicKeyHash, log: CheckedOpLog, claim?: ClaimCommit): Promise<void> {
  const w = t.writer(log.pending)
  const tid = await w.startTransaction(owner)
  const undo: (() => Promise<unknown>)[] = []
  try {
    for (let i = 0; i < log.blocks.length;) {
      const first = log.blocks[i]
      let j = i + 1
      while (j < log.blocks.length && log.blocks[j].isRaw === first.isRaw && log.blocks[j].writer.equals(first.writer)) j++
      const group = log.blocks.slice(i, j)
      await w.put(owner, first.writer, group.map((b) => b.signature), group.map((b) => b.block), tid, first.isRaw)
      i = j
    }
    if (log.login !== undefined) {
      const previous = await t.logins.get(username)
      undo.push(() => (previous === undefined ? t.logins.remove(username) : t.logins.set(previous)))
      await t.logins.set(log.login)
    }
    if (log.bat !== undefined) {
      const { id, bat } = log.bat
      if (!(await t.bats.add(username, id, bat))) throw new InvalidBatError('That BAT id is already stored')
      undo.push(() => t.bats.remove(username, id))
    }
    const pki = claim?.prepared.pointer
    const groups = [{ owner, updates: log.pointers }, ...(claim === undefined || pki === undefined ? [] : [{ owner: claim.owner, updates: [pki] }])]
    if (!(await w.setPointerGroups(groups))) throw new InvalidOpLogError('Pointer updates refused')
  } catch (e) {
    for (const u of undo.reverse()) await u().catch(() => {})
    // An unclosed transaction only keeps its blocks from GC until it expires.
    await w.closeTransaction(owner, tid).catch(() => {})
    throw e
  }
  await claim?.prepared.committed()
  await w.closeTransaction(owner, tid).catch(() => {})
}
