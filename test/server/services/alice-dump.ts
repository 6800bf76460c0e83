// Loads the account the real Peergos 1.32 wrote (../shared/peergos-vectors/account-alice) into a local
// bundle's block store and SQLite stores: blocks under their owner directories, signed pointers, the
// mirror BATs and link counts, and the identities' usernames.
import { readFileSync } from 'node:fs'
import { decodeCbor } from '../../../src/codec/cbor.ts'
import { parseCid, type CID } from '../../../src/codec/cid.ts'
import { batFromCbor } from '../../../src/model/bat.ts'
import { batIdFromCbor } from '../../../src/model/bat-id.ts'
import { hex, loadVector, vectorPath } from '../../vectors.ts'
import type { LocalBundle } from './local-bundle.ts'

export interface AliceDump {
  /** username → identity */
  readonly identities: Map<string, CID>
  readonly writers: CID[]
  readonly blockCids: CID[]
  readonly secretLink: { label: number; linkPassword: string }
}

export async function loadAliceDump(b: LocalBundle): Promise<AliceDump> {
  const byOwner = new Map<string, { cid: CID; bytes: Uint8Array }[]>()
  const blockCids: CID[] = []
  for (const e of loadVector('account-alice/blocks.json').blocks as { cid: string; ownerDir: string }[]) {
    const cid = parseCid(e.cid)
    blockCids.push(cid)
    const list = byOwner.get(e.ownerDir) ?? []
    list.push({ cid, bytes: new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', `${e.cid}.bin`))) })
    byOwner.set(e.ownerDir, list)
  }
  for (const [dir, blocks] of byOwner) await b.blocks.putMany(dir, blocks)
  const writers: CID[] = []
  for (const p of loadVector('account-alice/pointers.json').pointers as { writer: string; signedPointerHex: string }[]) {
    const writer = parseCid(p.writer)
    writers.push(writer)
    if (!(await b.stores.pointers.compareAndSet(writer, undefined, hex(p.signedPointerHex)))) throw new Error('pointer import failed')
  }
  const extra = loadVector('account-alice/bats-and-linkcounts.json')
  for (const r of extra.bats as { username: string; idHex: string; batHex: string }[]) {
    await b.stores.bats.add(r.username, batIdFromCbor(decodeCbor(hex(r.idHex))), batFromCbor(decodeCbor(hex(r.batHex))))
  }
  for (const r of extra.linkcounts as { username: string; label: number; count: number; modified: number }[]) {
    await b.stores.linkCounts.set(r.username, [{ label: r.label, count: r.count, modified: r.modified }])
  }
  const manifest = loadVector('account-alice/manifest.json')
  const identities = new Map<string, CID>()
  for (const [name, u] of Object.entries(manifest.users as Record<string, { identity: string }>)) identities.set(name, parseCid(u.identity))
  identities.set(manifest.server.pkiUser, parseCid(manifest.server['pkiIdentity(peergos.identity.hash)']))
  for (const [name, id] of identities) await b.registerUser(name, id)
  return { identities, writers, blockCids, secretLink: { label: manifest.secretLink.label, linkPassword: manifest.secretLink.linkPassword } }
}
