// lazyAbsolute: a listed child's capability equals toAbsolute's (keys, order, spread copies), its
// write key is opened on first read only, and a wrong link fails then, as toAbsolute would at once.
import { beforeAll, describe, expect, it } from 'vitest'
import { parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { lazyAbsolute } from '../../src/client/lazy-capability.ts'
import type { AbsoluteCapability, WritableAbsoluteCapability } from '../../src/model/capability.ts'
import { relativise, toAbsolute } from '../../src/model/relative-capability.ts'
import { randomSymmetricKey, sameSymmetricKey } from '../../src/model/symmetric-key.ts'

const OWNER = parseCid('zdpuAyKuHFUbpRm8KZvNkr4SiktUbqXDyoSUgVJeaWBnA7rB8')
const OTHER_WRITER = parseCid('zdpuAvGzqq5ALNtRvXAvU8Ez3zg6wLgLCmxZAukSxSpD1Ftvw')

let c: CryptoProvider
let parent: WritableAbsoluteCapability
let child: WritableAbsoluteCapability
beforeAll(async () => {
  c = await createNodeCrypto()
  parent = { owner: OWNER, writer: OWNER, mapKey: c.randomBytes(32), rBaseKey: randomSymmetricKey(c), wBaseKey: randomSymmetricKey(c) }
  child = { owner: OWNER, writer: OTHER_WRITER, mapKey: c.randomBytes(32), rBaseKey: randomSymmetricKey(c), wBaseKey: randomSymmetricKey(c) }
})

describe('lazyAbsolute', () => {
  it('is toAbsolute with the write key opened on first read', () => {
    const rel = relativise(c, parent, child)
    const eager = toAbsolute(c, rel, parent)
    let opened = 0
    const counting: CryptoProvider = { ...c, secretboxOpen: (...a) => (opened++, c.secretboxOpen(...a)) }
    const lazy = lazyAbsolute(counting, rel, parent)
    expect(opened).toBe(0)
    expect(Object.keys(lazy)).toEqual(Object.keys(eager))
    expect(lazy.owner).toBe(OWNER)
    expect(lazy.writer).toBe(OTHER_WRITER)
    expect(lazy.mapKey).toBe(rel.mapKey)
    expect(lazy.rBaseKey).toBe(rel.rBaseKey)
    expect(sameSymmetricKey(lazy.wBaseKey!, child.wBaseKey)).toBe(true)
    expect(lazy.wBaseKey).toBe(lazy.wBaseKey) // opened once, then kept
    expect(opened).toBe(1)
    const copy: AbsoluteCapability = { ...lazy, mapKey: new Uint8Array(32) } // as readFile builds the next chunk's
    expect(Object.keys(copy)).toEqual(Object.keys(eager))
    expect(copy.wBaseKey).toBe(lazy.wBaseKey)
    expect({ ...lazy }).toEqual({ ...eager, wBaseKey: lazy.wBaseKey })
  })

  it('is toAbsolute itself without a write key on either side', () => {
    const readOnlyParent: AbsoluteCapability = { ...parent, wBaseKey: undefined }
    const rel = relativise(c, parent, child)
    expect(lazyAbsolute(c, rel, readOnlyParent)).toEqual(toAbsolute(c, rel, readOnlyParent))
    const sameKeys = relativise(c, parent, { ...child, wBaseKey: parent.wBaseKey })
    expect(sameKeys.wBaseKeyLink).toBeUndefined()
    expect(lazyAbsolute(c, sameKeys, parent)).toEqual(toAbsolute(c, sameKeys, parent))
  })

  it('fails on reading a write key whose link does not open, as toAbsolute fails at once', () => {
    const rel = relativise(c, parent, child)
    const wrong: WritableAbsoluteCapability = { ...parent, wBaseKey: randomSymmetricKey(c) }
    let eagerError: unknown
    try {
      toAbsolute(c, rel, wrong)
    } catch (e) {
      eagerError = e
    }
    expect(eagerError).toBeInstanceOf(Error)
    const lazy = lazyAbsolute(c, rel, wrong) // no opening yet
    expect(() => lazy.wBaseKey).toThrow((eagerError as Error).constructor as new () => Error)
  })
})
