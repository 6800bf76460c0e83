// PointerStore conformance on every dialect: get/CAS/setMany/list/remove, and CAS atomicity under
// concurrent attempts (exactly one winner per expected value; successful CASes form one chain).
import { beforeEach, expect, it } from 'vitest'
import { cidToString } from '../../../src/codec/cid.ts'
import { PointerStore } from '../../../src/server/db/pointer-store.ts'
import type { Database } from '../../../src/server/db/sql.ts'
import { describeDialects } from './dialects.ts'
import { signed, text, writer } from './helpers.ts'

describeDialects('PointerStore', (d) => {
  let db: Database
  let store: PointerStore
  beforeEach(async () => {
    db = await d.open()
    store = await PointerStore.open(db)
  })

  it('creates only when absent, then swaps only from the stored bytes', async () => {
    const w = writer(1)
    const [a, b, c] = [signed('a'), signed('b'), signed('c')]
    expect(await store.get(w)).toBeUndefined()
    expect(await store.compareAndSet(w, undefined, a)).toBe(true)
    expect(await store.compareAndSet(w, undefined, b)).toBe(false)
    expect(text(await store.get(w))).toBe(text(a))
    expect(await store.compareAndSet(w, c, b)).toBe(false)
    expect(await store.compareAndSet(w, a, b)).toBe(true)
    expect(await store.compareAndSet(w, a, c)).toBe(false)
    expect(text(await store.get(w))).toBe(text(b))
    expect(await store.compareAndSet(writer(2), a, c)).toBe(false) // no row: no update
    expect(await store.get(writer(2))).toBeUndefined()
  })

  it('is idempotent to reopen on existing tables', async () => {
    await store.compareAndSet(writer(1), undefined, signed())
    const again = await PointerStore.open(db)
    expect(await again.list()).toHaveLength(1)
  })

  it('applies setMany all or nothing', async () => {
    const [w1, w2, w3] = [writer(1), writer(2), writer(3)]
    const [a1, a2] = [signed('a1'), signed('a2')]
    expect(await store.setMany([{ writer: w1, expected: undefined, next: a1 }, { writer: w2, expected: undefined, next: a2 }])).toBe(true)
    const [b1, b2, b3] = [signed('b1'), signed('b2'), signed('b3')]
    // w2's expectation is stale: nothing may change, not even w1 or the new w3
    expect(await store.setMany([
      { writer: w1, expected: a1, next: b1 },
      { writer: w3, expected: undefined, next: b3 },
      { writer: w2, expected: b2, next: b2 },
    ])).toBe(false)
    expect(text(await store.get(w1))).toBe(text(a1))
    expect(await store.get(w3)).toBeUndefined()
    expect(await store.setMany([
      { writer: w3, expected: undefined, next: b3 },
      { writer: w1, expected: a1, next: b1 },
      { writer: w2, expected: a2, next: b2 },
    ])).toBe(true)
    expect([text(await store.get(w1)), text(await store.get(w2)), text(await store.get(w3))]).toEqual([text(b1), text(b2), text(b3)])
    expect(await store.setMany([])).toBe(true)
    expect(await store.setMany([{ writer: w1, expected: b1, next: a1 }, { writer: w1, expected: b1, next: a2 }])).toBe(false)
  })

  it('lists every pointer with its writer, and removes', async () => {
    const ws = [writer(5), writer(6), writer(7)]
    const vals = ws.map((_, i) => signed(`v${i}`))
    for (let i = 0; i < ws.length; i++) await store.compareAndSet(ws[i], undefined, vals[i])
    const listed = await store.list()
    expect(new Map(listed.map((p) => [cidToString(p.writer), text(p.signed)]))).toEqual(new Map(ws.map((w, i) => [cidToString(w), text(vals[i])])))
    await store.remove(ws[1])
    expect(await store.get(ws[1])).toBeUndefined()
    expect(await store.list()).toHaveLength(2)
  })

  it('lets exactly one of two concurrent CASes with the same expected value win', async () => {
    const w = writer(9)
    for (let round = 0; round < 20; round++) {
      const cur = await store.get(w)
      const [x, y] = [signed(`x${round}`), signed(`y${round}`)]
      const results = await Promise.all([store.compareAndSet(w, cur, x), store.compareAndSet(w, cur, y)])
      expect(results.filter(Boolean)).toHaveLength(1)
      expect(text(await store.get(w))).toBe(text(results[0] ? x : y))
    }
  })

  it('keeps a single chain under many concurrent read-then-CAS writers', async () => {
    const w = writer(10)
    const wins: Array<{ expected: string | undefined; next: string }> = []
    const worker = async (id: number): Promise<void> => {
      for (let i = 0; i < 15; i++) {
        const cur = await store.get(w)
        const next = signed(`${id}:${i}`)
        if (await store.compareAndSet(w, cur, next)) wins.push({ expected: text(cur), next: text(next)! })
      }
    }
    await Promise.all(Array.from({ length: 6 }, (_, id) => worker(id)))
    const byExpected = new Map<string | undefined, string>()
    for (const win of wins) {
      expect(byExpected.has(win.expected)).toBe(false) // two winners from one state = lost update
      byExpected.set(win.expected, win.next)
    }
    let at: string | undefined
    for (let steps = 0; steps < wins.length; steps++) at = byExpected.get(at)
    expect(at).toBe(text(await store.get(w)))
  })

  it('lets exactly one of several concurrent setMany commits from the same state win', async () => {
    const [w1, w2] = [writer(11), writer(12)]
    const base = [signed('1'), signed('2')]
    await store.setMany([{ writer: w1, expected: undefined, next: base[0] }, { writer: w2, expected: undefined, next: base[1] }])
    const attempts = Array.from({ length: 5 }, (_, i) => store.setMany([
      { writer: i % 2 === 0 ? w1 : w2, expected: base[i % 2], next: signed(`p${i}`) },
      { writer: i % 2 === 0 ? w2 : w1, expected: base[(i + 1) % 2], next: signed(`q${i}`) },
    ]))
    expect((await Promise.all(attempts)).filter(Boolean)).toHaveLength(1)
  })
})
