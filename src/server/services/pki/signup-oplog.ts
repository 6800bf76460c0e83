// A signup's OpLog (reference §5.3 step 9; Peergos IpfsCoreNode.applyOpLog), all or nothing: every
// block signature, pointer update (signature, CAS, sequence, controller), the login data's identity
// signature and the mirror BAT's signed request are checked before anything is written.
import { blockCid, cidToString, equalBytes, type CID } from '../../../codec/cid.ts'
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
import { LOGIN_AUTH_WINDOW_SECONDS, verifySignedRequest, type Clock } from '../signed-time.ts'

/** The OpLog is inconsistent or would not apply (wrong username, duplicate writer, controller mismatch...). */
export class InvalidOpLogError extends PeergosError {}

/** More operations than any signup writes (Peergos' whole OpLog body is capped at 64 KiB). */
export const MAX_OPLOG_OPERATIONS = 1000

export interface OpLogTargets {
  readonly crypto: CryptoProvider
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
  readonly logins: LoginStore
  readonly bats: BatStore
  readonly resolve: SigningKeyResolver
  readonly now: Clock
}

/** An OpLog that passed every check, ready to apply. */
export interface CheckedOpLog {
  readonly blocks: readonly BlockWrite[]
  readonly pointers: readonly SignedPointerUpdate[]
  readonly login?: LoginRow
  readonly bat?: { readonly id: CID; readonly bat: Bat }
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
  const written = new Map<string, Uint8Array>()
  for (const b of blocks) if (!b.isRaw) written.set(cidToString(blockCid(t.crypto, b.block, false)), b.block)

  const writers = new Set<string>()
  for (const p of pointers) {
    const w = cidToString(p.writer)
    if (writers.has(w)) throw new InvalidOpLogError('Two pointer updates for one writer')
    writers.add(w)
    const key = await requireKey(t.resolve, p.writer)
    const update = validateSignedPointerUpdate(t.crypto, key, await t.pointers.getPointer(owner, p.writer), p.signed)
    if (update.updated === null) continue
    const wd = written.get(cidToString(update.updated)) ?? (await t.storage.get(owner, update.updated))
    if (wd === undefined) throw new InvalidOpLogError(`Pointer target ${update.updated.toString()} is not in the OpLog or storage`)
    if (!decodeWriterData(wd).controller.equals(p.writer)) throw new InvalidOpLogError(`WriterData controller mismatch for ${w}`)
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
  return { blocks, pointers, ...(login === undefined ? {} : { login }), ...(bat === undefined ? {} : { bat }) }
}

/**
 * Applies a checked OpLog: blocks (in a transaction; unreferenced if we stop), login row, pointers
 * in one atomic setPointers, mirror BAT. On failure the login row is restored and the error thrown.
 * Returns the undo of the login row, for a failure of the caller's final PKI commit.
 */
export async function applyOpLog(t: OpLogTargets, username: string, owner: PublicKeyHash, log: CheckedOpLog): Promise<() => Promise<void>> {
  const tid = await t.storage.startTransaction(owner)
  try {
    for (let i = 0; i < log.blocks.length;) {
      const first = log.blocks[i]
      let j = i + 1
      while (j < log.blocks.length && log.blocks[j].isRaw === first.isRaw && log.blocks[j].writer.equals(first.writer)) j++
      const group = log.blocks.slice(i, j)
      await t.storage.put(owner, first.writer, group.map((b) => b.signature), group.map((b) => b.block), tid, first.isRaw)
      i = j
    }
    const previous = log.login === undefined ? undefined : await t.logins.get(username)
    const undoLogin = async (): Promise<void> => {
      if (log.login === undefined) return
      if (previous === undefined) await t.logins.remove(username)
      else await t.logins.set(previous)
    }
    if (log.login !== undefined) await t.logins.set(log.login)
    try {
      if (log.pointers.length > 0 && !(await t.pointers.setPointers(owner, [...log.pointers]))) throw new InvalidOpLogError('Pointer updates refused')
      if (log.bat !== undefined && !(await t.bats.add(username, log.bat.id, log.bat.bat))) throw new InvalidBatError('That BAT id is already stored')
    } catch (e) {
      await undoLogin()
      throw e
    }
    return undoLogin
  } finally {
    await t.storage.closeTransaction(owner, tid)
  }
}
