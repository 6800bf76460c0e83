// The secret-links CHAMP of the identity's WriterData (reference §1.4, §3.2; Peergos WriterData.addLink /
// removeLink, SecretLinkChamp): keys sha256(label as 8 little-endian bytes), values links to
// SecretLinkTarget blocks; the root node carries the mirror BAT id. An edit reads the identity's
// current WriterData, changes the CHAMP, stores the new blocks and WriterData signed by the identity
// key, and moves the identity pointer with compare-and-swap (re-run on a CAS failure, as other
// clients of the account may commit in between).
import { Champ, cidKey, isBucket, type BlockStore } from '../../champ/index.ts'
import { blockCid, cidToString, type CID } from '../../codec/cid.ts'
import type { BatWithId } from '../../model/bat-id.ts'
import { CasFailedError } from '../../model/errors.ts'
import { pointerUpdate, signPointerUpdate } from '../../model/pointer-update.ts'
import { signRequest } from '../../model/signed-time.ts'
import { secretLinkChampKey } from '../../model/secret-link.ts'
import { encodeSecretLinkTarget, type SecretLinkTarget } from '../../model/secret-link-target.ts'
import { decodeWriterData, encodeWriterData } from '../../model/writer-data.ts'
import { NotFoundError } from '../errors.ts'
import { GET_USER_BATS_REQUEST } from '../user-context.ts'
import { signBlock } from '../writer-session.ts'
import type { SocialContext } from './context.ts'

/** Re-runs of an edit after compare-and-swap failures before giving up. */
export const MAX_IDENTITY_COMMIT_ATTEMPTS = 10

/** What an edit may do to the links CHAMP. */
export interface LinksEditor {
  /** Stores `target` under `label` (replacing any target there); returns the target block's CID. */
  put(label: number, target: SecretLinkTarget): Promise<CID>
  /** Removes the target under `label`; false when there was none. */
  remove(label: number): Promise<boolean>
  /** The target block's CID under `label`, if any. */
  get(label: number): Promise<CID | undefined>
}

/** Runs `edit` on the identity's links CHAMP and commits the result (nothing when unchanged). */
export async function editSecretLinks<T>(x: SocialContext, edit: (e: LinksEditor) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await editOnce(x, edit)
    } catch (e) {
      if (!(e instanceof CasFailedError) || attempt >= MAX_IDENTITY_COMMIT_ATTEMPTS) throw e
      await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** attempt) * Math.random()))
    }
  }
}

async function editOnce<T>(x: SocialContext, edit: (e: LinksEditor) => Promise<T>): Promise<T> {
  const c = x.net.crypto
  const id = x.identity.publicKeyHash
  const pointer = await x.reader.pointers.get(id, id)
  const baseCid = pointer?.updated ?? undefined
  if (pointer === undefined || baseCid === undefined) throw new NotFoundError(`${x.username}'s identity has no WriterData`)
  const wd = decodeWriterData(await fetchVerified(x, baseCid))
  const staged = new Map<string, Uint8Array>()
  const stage = (block: Uint8Array): CID => {
    const cid = blockCid(c, block, false)
    staged.set(cidKey(cid), block)
    return cid
  }
  const store: BlockStore = {
    trusted: true,
    get: async (cid) => staged.get(cidKey(cid)) ?? fetchVerified(x, cid),
    put: async (block) => stage(block),
  }
  const champ = new Champ({ store, crypto: c, keyHash: 'identity', cacheSize: 64 })
  const mirrorBat = x.mirrorBatId
  let root = wd.secretLinks
  const editor: LinksEditor = {
    get: async (label) => (root === undefined ? undefined : champ.get(root, secretLinkChampKey(c, label))),
    put: async (label, target) => {
      if (root === undefined) root = await champ.createEmpty({ mirrorBat })
      const key = secretLinkChampKey(c, label)
      const value = stage(encodeSecretLinkTarget(target))
      root = await champ.put(root, key, await champ.get(root, key), value, { mirrorBat })
      return value
    },
    remove: async (label) => {
      if (root === undefined) return false
      const key = secretLinkChampKey(c, label)
      const current = await champ.get(root, key)
      if (current === undefined) return false
      root = await champ.remove(root, key, current, { mirrorBat })
      return true
    },
  }
  const result = await edit(editor)
  if (root === wd.secretLinks || (root !== undefined && wd.secretLinks !== undefined && root.equals(wd.secretLinks))) return result
  const newWd = encodeWriterData({ ...wd, secretLinks: root })
  const blocks = [...(await reachableStaged(champ, staged, root)), newWd]
  const tid = await x.net.storage.startTransaction(id)
  try {
    await x.net.storage.put(id, id, blocks.map((b) => signBlock(c, x.identity, b)), blocks, tid, false)
    const sequence = (pointer.sequence ?? 0) + 1
    const signed = signPointerUpdate(c, x.identity.secretKey, pointerUpdate(baseCid, blockCid(c, newWd, false), sequence))
    await x.net.pointers.setPointer(id, id, signed)
    x.reader.pointers.observe(id, sequence)
  } finally {
    await x.net.storage.closeTransaction(id, tid).catch(() => undefined)
  }
  return result
}

const mirrorBats = new WeakMap<SocialContext, Promise<BatWithId | undefined>>()

/** The user's mirror BAT (the links CHAMP root carries its id, so reading it takes the BAT itself). */
function mirrorBatOf(x: SocialContext): Promise<BatWithId | undefined> {
  let p = mirrorBats.get(x)
  if (p === undefined) {
    const id = x.mirrorBatId
    p = id === undefined ? Promise.resolve(undefined)
      : x.net.batCave.getUserBats(x.username, signRequest(x.net.crypto, x.identity.secretKey, GET_USER_BATS_REQUEST))
        .then((bats) => bats.find((b) => b.id.equals(id)))
    mirrorBats.set(x, p)
  }
  return p
}

/** The staged blocks the new root reaches (nodes replaced within the edit are not sent). */
async function reachableStaged(champ: Champ, staged: ReadonlyMap<string, Uint8Array>, root: CID | undefined): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  const seen = new Set<string>()
  const take = (cid: CID): boolean => {
    const k = cidKey(cid)
    const block = staged.get(k)
    if (block === undefined || seen.has(k)) return false
    seen.add(k)
    out.push(block)
    return true
  }
  const visit = async (cid: CID): Promise<void> => {
    if (!take(cid)) return
    for (const slot of (await champ.readNode(cid)).slots) {
      if (slot === undefined) continue
      if (!isBucket(slot)) await visit(slot)
      else for (const e of slot) if (e.value !== undefined && e.value !== null) take(e.value)
    }
  }
  if (root !== undefined) await visit(root)
  return out
}

async function fetchVerified(x: SocialContext, cid: CID): Promise<Uint8Array> {
  const cached = x.reader.blockCache.get(cid)
  if (cached !== undefined) return cached
  const block = await x.net.storage.get(x.identity.publicKeyHash, cid, await mirrorBatOf(x))
  if (block === undefined) throw new NotFoundError(`Block ${cidToString(cid)} of ${x.username}'s identity is missing`)
  if (!blockCid(x.net.crypto, block, false).equals(cid)) throw new NotFoundError(`Block ${cidToString(cid)} does not hash to its CID`)
  x.reader.blockCache.set(cid, block)
  return block
}
