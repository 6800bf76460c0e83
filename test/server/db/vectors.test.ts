// Rows of the real Peergos server (account-alice dump: metadatablobs, login, followrequests, bats,
// linkcounts) stored through our stores give byte-identical column values, and rows written the
// way Peergos writes them read back through our stores, on every dialect.
import { beforeEach, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../../src/codec/cbor.ts'
import { cidToString, parseCid } from '../../../src/codec/cid.ts'
import { batFromCbor } from '../../../src/model/bat.ts'
import { batIdFromCbor } from '../../../src/model/bat-id.ts'
import { BatStore } from '../../../src/server/db/bat-store.ts'
import { publicKeyHashColumn } from '../../../src/server/db/columns.ts'
import { FollowRequestStore } from '../../../src/server/db/follow-request-store.ts'
import { LinkCountStore } from '../../../src/server/db/link-count-store.ts'
import { LoginStore } from '../../../src/server/db/login-store.ts'
import { PointerStore } from '../../../src/server/db/pointer-store.ts'
import { toBase64, type Database } from '../../../src/server/db/sql.ts'
import { describeVectors, hex, loadVector, toHex } from '../../vectors.ts'
import { describeDialects } from './dialects.ts'

const b64 = (h: string): string => toBase64(hex(h))

describeVectors('Peergos SQL rows (account-alice)', () => {
  const pointers = loadVector('account-alice/pointers.json').pointers as Array<{ writer: string; writerCborHex: string; signedPointerHex: string }>
  const logins = loadVector('account-alice/login-rows.json').rows as Array<{ username: string; entryHex: string; readerHex: string }>
  const follows = loadVector('account-alice/follow-requests.json').rows as Array<{ targetIdentity: string; followRequestHex: string }>
  const batsAndCounts = loadVector('account-alice/bats-and-linkcounts.json')
  const bats = batsAndCounts.bats as Array<{ username: string; idHex: string; batHex: string }>
  const counts = batsAndCounts.linkcounts as Array<{ username: string; label: number; count: number; modified: number }>

  it('has the rows the dump describes', () => {
    expect(pointers).toHaveLength(10)
    expect(logins.map((r) => r.username)).toEqual(['alice', 'bob', 'carol'])
    expect(follows).toHaveLength(1)
    expect(bats.length).toBeGreaterThan(0)
    for (const p of pointers) expect(toHex(encodeCbor(parseCid(p.writer)))).toBe(p.writerCborHex)
  })

  describeDialects('stored through our stores', (d) => {
    let db: Database
    beforeEach(async () => { db = await d.open() })

    it('metadatablobs: writingkey = base64(CBOR writer link), hash = base64(signed update)', async () => {
      const store = await PointerStore.open(db)
      for (const p of pointers) {
        expect(publicKeyHashColumn(parseCid(p.writer))).toBe(b64(p.writerCborHex))
        expect(await store.compareAndSet(parseCid(p.writer), undefined, hex(p.signedPointerHex))).toBe(true)
      }
      const rows = await db.query<{ writingkey: string; hash: string }>('SELECT writingkey, hash FROM metadatablobs;')
      expect(new Map(rows.map((r) => [r.writingkey, r.hash]))).toEqual(new Map(pointers.map((p) => [b64(p.writerCborHex), b64(p.signedPointerHex)])))
      for (const p of pointers) expect(toHex((await store.get(parseCid(p.writer)))!)).toBe(p.signedPointerHex)
      expect(new Set((await store.list()).map((p) => cidToString(p.writer)))).toEqual(new Set(pointers.map((p) => p.writer)))
    })

    it('login: entry and reader are base64 CBOR', async () => {
      const store = await LoginStore.open(db)
      for (const r of logins) await store.set({ username: r.username, entry: hex(r.entryHex), reader: hex(r.readerHex) })
      const rows = await db.query('SELECT username, entry, reader FROM login ORDER BY username;')
      expect(rows).toEqual(logins.map((r) => ({ username: r.username, entry: b64(r.entryHex), reader: b64(r.readerHex) })))
      for (const r of logins) expect(toHex((await store.getEntry(r.username, hex(r.readerHex)))!)).toBe(r.entryHex)
    })

    it('followrequests: name = identity string, followrequest = base64 CBOR', async () => {
      const store = await FollowRequestStore.open(db)
      for (const f of follows) await store.add(parseCid(f.targetIdentity), hex(f.followRequestHex))
      const rows = await db.query('SELECT name, followrequest FROM followrequests;')
      expect(rows).toEqual(follows.map((f) => ({ name: f.targetIdentity, followrequest: b64(f.followRequestHex) })))
      expect((await store.list(follows[0].targetIdentity)).map(toHex)).toEqual([follows[0].followRequestHex])
    })

    it('bats and linkcounts', async () => {
      const store = await BatStore.open(db)
      for (const b of bats) {
        const id = batIdFromCbor(decodeCbor(hex(b.idHex)))
        expect(await store.add(b.username, id, batFromCbor(decodeCbor(hex(b.batHex))))).toBe(true)
      }
      const rows = await db.query('SELECT username, id, bat FROM bats ORDER BY id;')
      expect(rows).toEqual(bats.map((b) => ({ username: b.username, id: b64(b.idHex), bat: b64(b.batHex) })).sort((x, y) => (x.id < y.id ? -1 : 1)))
      const counters = await LinkCountStore.open(db)
      for (const c of counts) await counters.set(c.username, [{ label: c.label, count: c.count, modified: c.modified }])
      const crows = await db.query('SELECT username, label, count, modified FROM linkcounts;')
      expect(crows.map((r) => ({ username: r.username, label: Number(r.label), count: Number(r.count), modified: Number(r.modified) }))).toEqual(counts)
    })

    it('reads rows written the way Peergos writes them', async () => {
      const pointerStore = await PointerStore.open(db)
      const loginStore = await LoginStore.open(db)
      const batStore = await BatStore.open(db)
      const followStore = await FollowRequestStore.open(db)
      for (const p of pointers) await db.run('INSERT INTO metadatablobs (writingkey, hash) VALUES(?, ?)', [b64(p.writerCborHex), b64(p.signedPointerHex)])
      for (const r of logins) await db.run('INSERT INTO login (username, entry, reader) VALUES(?, ?, ?)', [r.username, b64(r.entryHex), b64(r.readerHex)])
      for (const b of bats) await db.run('INSERT INTO bats (username, id, bat) VALUES(?, ?, ?)', [b.username, b64(b.idHex), b64(b.batHex)])
      for (const f of follows) await db.run('INSERT INTO followrequests (name, followrequest) VALUES(?, ?);', [f.targetIdentity, b64(f.followRequestHex)])
      const listed = await pointerStore.list()
      expect(new Map(listed.map((p) => [cidToString(p.writer), toHex(p.signed)]))).toEqual(new Map(pointers.map((p) => [p.writer, p.signedPointerHex])))
      const alice = (await loginStore.get('alice'))!
      expect(toHex(alice.reader)).toBe(logins[0].readerHex)
      for (const b of bats) {
        const id = batIdFromCbor(decodeCbor(hex(b.idHex)))
        expect(toHex((await batStore.get(id))!.secret)).toBe(b.batHex.slice(-64))
        expect(await batStore.getOwner(id)).toBe(b.username)
      }
      expect((await followStore.list(follows[0].targetIdentity)).map(toHex)).toEqual([follows[0].followRequestHex])
    })
  })
})
