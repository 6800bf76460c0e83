// Loads a dumped Peergos server state (the form of peergos-vectors/account-alice: blocks/*.bin with
// blocks.json, pointers.json, login-rows.json, follow-requests.json, bats-and-linkcounts.json,
// pki-chains.json) into this server's stores, so it becomes the home server of those users.
// Every block is re-hashed, every pointer signature checked; the import is idempotent and refuses
// to overwrite different existing data.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeCbor } from '../codec/cbor.ts'
import { cidToString, equalBytes, parseCid } from '../codec/cid.ts'
import { batFromCbor } from '../model/bat.ts'
import { batIdFromCbor } from '../model/bat-id.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { PeergosError } from '../errors.ts'
import { openSignedPointerUpdate } from '../model/pointer-update.ts'
import { publicKeyFromHash } from '../model/signing-keys.ts'
import { decodeChain, type UserPublicKeyLink } from '../model/user-public-key-link.ts'
import type { ServerBlockStore } from './blocks/server-block-store.ts'
import type { Stores } from './db/config.ts'

export class ImportError extends PeergosError {}

export interface ImportTarget {
  readonly blocks: ServerBlockStore
  readonly stores: Stores
  /** Registers a username's claim chain in this server's PKI. */
  registerChain(username: string, chain: UserPublicKeyLink[]): Promise<void>
}

export interface ImportReport {
  blocks: number
  bytes: number
  pointers: number
  logins: number
  followRequests: number
  bats: number
  linkCounts: number
  chains: number
}

function hex(s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string' || !/^([0-9a-f]{2})*$/i.test(s)) throw new ImportError(`${what}: expected hex`)
  return new Uint8Array(Buffer.from(s, 'hex'))
}

async function json(dir: string, name: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(join(dir, name), 'utf8'))
  } catch (e) {
    throw new ImportError(`Cannot read ${name} in ${dir}: ${(e as Error).message}`)
  }
}

function list(o: Record<string, unknown>, key: string, file: string): Record<string, unknown>[] {
  const v = o[key]
  if (!Array.isArray(v)) throw new ImportError(`${file}: '${key}' is not a list`)
  return v as Record<string, unknown>[]
}

/** Imports the dump in `dir`; safe to run again (already present data is skipped). */
export async function importAccountDump(c: CryptoProvider, dir: string, target: ImportTarget): Promise<ImportReport> {
  const report: ImportReport = { blocks: 0, bytes: 0, pointers: 0, logins: 0, followRequests: 0, bats: 0, linkCounts: 0, chains: 0 }
  const { stores } = target

  // PKI chains first: they name the users whose blocks and pointers follow.
  const chains = (await json(dir, 'pki-chains.json')).chains
  if (typeof chains !== 'object' || chains === null) throw new ImportError('pki-chains.json: no chains')
  for (const [username, entry] of Object.entries(chains as Record<string, { chainCbor?: unknown }>)) {
    await target.registerChain(username, decodeChain(hex(entry.chainCbor, `chain of ${username}`)))
    report.chains++
  }

  for (const b of list(await json(dir, 'blocks.json'), 'blocks', 'blocks.json')) {
    const cid = parseCid(String(b.cid))
    const ownerDir = String(b.ownerDir)
    const bytes = new Uint8Array(await readFile(join(dir, 'blocks', `${cidToString(cid)}.bin`)))
    await target.blocks.put(ownerDir, cid, bytes) // re-hashes against the CID
    report.blocks++
    report.bytes += bytes.length
  }

  for (const p of list(await json(dir, 'pointers.json'), 'pointers', 'pointers.json')) {
    const writer = parseCid(String(p.writer))
    const signed = hex(p.signedPointerHex, `pointer of ${p.writer}`)
    const key = publicKeyFromHash(writer)
    if (key === undefined) throw new ImportError(`Writer ${p.writer} is not an identity key hash`)
    openSignedPointerUpdate(c, key, signed) // throws InvalidSignatureError on a forged pointer
    const current = await stores.pointers.get(writer)
    if (current !== undefined) {
      if (equalBytes(current, signed)) continue
      throw new ImportError(`Writer ${p.writer} already has a different pointer here`)
    }
    if (!(await stores.pointers.compareAndSet(writer, undefined, signed))) throw new ImportError(`Pointer of ${p.writer} changed during the import`)
    report.pointers++
  }

  for (const r of list(await json(dir, 'login-rows.json'), 'rows', 'login-rows.json')) {
    const username = String(r.username)
    const row = { username, entry: hex(r.entryHex, `login of ${username}`), reader: hex(r.readerHex, `reader of ${username}`) }
    const current = await stores.logins.get(username)
    if (current !== undefined) {
      if (equalBytes(current.entry, row.entry) && equalBytes(current.reader, row.reader)) continue
      throw new ImportError(`User ${username} already has different login data here`)
    }
    await stores.logins.set(row)
    report.logins++
  }

  for (const r of list(await json(dir, 'follow-requests.json'), 'rows', 'follow-requests.json')) {
    const target = parseCid(String(r.targetIdentity))
    const request = hex(r.followRequestHex, 'follow request')
    if ((await stores.followRequests.list(target)).some((x) => equalBytes(x, request))) continue
    await stores.followRequests.add(target, request)
    report.followRequests++
  }

  const batsAndCounts = await json(dir, 'bats-and-linkcounts.json')
  for (const r of list(batsAndCounts, 'bats', 'bats-and-linkcounts.json')) {
    const id = batIdFromCbor(decodeCbor(hex(r.idHex, 'bat id')))
    const bat = batFromCbor(decodeCbor(hex(r.batHex, 'bat')))
    if (await stores.bats.add(String(r.username), id, bat)) report.bats++
  }
  const counts = new Map<string, { label: number; count: number; modified: number }[]>()
  for (const r of list(batsAndCounts, 'linkcounts', 'bats-and-linkcounts.json')) {
    const username = String(r.username)
    const entry = { label: Number(r.label), count: Number(r.count), modified: Number(r.modified) }
    if (![entry.label, entry.count, entry.modified].every(Number.isSafeInteger)) throw new ImportError(`Invalid link count of ${username}`)
    counts.set(username, [...(counts.get(username) ?? []), entry])
  }
  for (const [username, entries] of counts) {
    await stores.linkCounts.set(username, entries)
    report.linkCounts += entries.length
  }
  return report
}
