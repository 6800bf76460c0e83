// FollowRequestStore and BatStore conformance on every dialect, including the atomic pending-
// request limit and Peergos' column encodings (name = identity string, base64 CBOR values).
import { beforeAll, beforeEach, expect, it } from 'vitest'
import { encodeCbor } from '../../../src/codec/cbor.ts'
import { cidToString } from '../../../src/codec/cid.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import { bat, batToCbor } from '../../../src/model/bat.ts'
import { inlineBatId, sha256BatId } from '../../../src/model/bat-id.ts'
import { BatStore } from '../../../src/server/db/bat-store.ts'
import { FollowRequestStore } from '../../../src/server/db/follow-request-store.ts'
import { toBase64, type Database } from '../../../src/server/db/sql.ts'
import { describeDialects } from './dialects.ts'
import { signed, text, writer } from './helpers.ts'

describeDialects('FollowRequestStore', (d) => {
  let db: Database
  let store: FollowRequestStore
  beforeEach(async () => {
    db = await d.open()
    store = await FollowRequestStore.open(db)
  })

  it('adds, lists in order per target, and removes exact bytes', async () => {
    const [alice, bob] = [writer(1), writer(2)]
    const [r1, r2, r3] = [signed('r1'), signed('r2'), signed('r3')]
    expect(await store.add(alice, r1)).toBe(true)
    expect(await store.add(cidToString(alice), r2)).toBe(true)
    expect(await store.add(bob, r3)).toBe(true)
    expect((await store.list(alice)).map(text)).toEqual([text(r1), text(r2)])
    expect((await store.list(bob)).map(text)).toEqual([text(r3)])
    expect(await store.remove(alice, r3)).toBe(false)
    expect(await store.remove(alice, r1)).toBe(true)
    expect((await store.list(alice)).map(text)).toEqual([text(r2)])
    const rows = await db.query('SELECT name, followrequest FROM followrequests ORDER BY id;')
    expect(rows).toEqual([{ name: cidToString(alice), followrequest: toBase64(r2) }, { name: cidToString(bob), followrequest: toBase64(r3) }])
  })

  it('refuses requests beyond the pending limit, atomically under concurrency', async () => {
    const target = writer(3)
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => store.add(target, signed(`${i}`), 4)))
    // Peergos refuses when more than max are pending, so max + 1 get in
    expect(results.filter(Boolean)).toHaveLength(5)
    expect(await store.list(target)).toHaveLength(5)
  })
})

describeDialects('BatStore', (d) => {
  let db: Database
  let store: BatStore
  let c: CryptoProvider
  beforeAll(async () => { c = await createNodeCrypto() })
  beforeEach(async () => {
    db = await d.open()
    store = await BatStore.open(db)
  })

  it('stores mirror BATs by hashed id, lists per user, finds owner', async () => {
    const [b1, b2, b3] = [bat(new Uint8Array(32).fill(1)), bat(new Uint8Array(32).fill(2)), bat(new Uint8Array(32).fill(3))]
    const [id1, id2, id3] = [sha256BatId(c, b1), sha256BatId(c, b2), sha256BatId(c, b3)]
    expect(await store.add('alice', id1, b1)).toBe(true)
    expect(await store.add('alice', id2, b2)).toBe(true)
    expect(await store.add('bob', id3, b3)).toBe(true)
    expect(await store.add('mallory', id1, b3)).toBe(false) // an id is stored once
    expect(text((await store.get(id1))!.secret)).toBe(text(b1.secret))
    expect(await store.get(sha256BatId(c, bat(new Uint8Array(32).fill(9))))).toBeUndefined()
    expect(await store.getOwner(id1)).toBe('alice')
    const listed = await store.list('alice')
    expect(listed.map((b) => cidToString(b.id)).sort()).toEqual([cidToString(id1), cidToString(id2)].sort())
    expect(listed.find((b) => b.id.equals(id2))!.bat.secret).toEqual(b2.secret)
    const [row] = await db.query('SELECT username, id, bat FROM bats WHERE username = ?;', ['bob'])
    expect(row).toEqual({ username: 'bob', id: toBase64(encodeCbor(id3.bytes)), bat: toBase64(encodeCbor(batToCbor(b3))) })
  })

  it('refuses inline BAT ids', async () => {
    const b = bat(new Uint8Array(32).fill(4))
    await expect(store.add('alice', inlineBatId(b), b)).rejects.toMatchObject({ name: 'InvalidBatError' })
  })
})
