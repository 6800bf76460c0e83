// FileProperties (reference §2.3-§2.4): every field, byte-exact to cbor.json FileProperties (dir,
// file with stream secret, hidden 6 GiB file, EMPTY with LocalDateTime.MIN), HashBranch `th`,
// Peergos' decoding defaults, calculateNextMapKey, and strict decoding of untrusted bytes.
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { InvalidFileNameError } from '../../src/model/file-name.ts'
import {
  calculateNextMapKey, EMPTY_FILE_PROPERTIES, filePropertiesFromCbor, filePropertiesToCbor, MAX_EPOCH_SECONDS, MIN_EPOCH_SECONDS,
  timestampFromMillis, timestampToMillis, type FileProperties,
} from '../../src/model/file-properties.ts'
import { fuzzCborDecoder } from './cbor-mutations.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

const modified = timestampFromMillis(Date.UTC(2026, 1, 3, 4, 5, 6, 789))
const created = timestampFromMillis(Date.UTC(2026, 0, 2, 3, 4, 5))
const streamSecret = hex('2a4351a9c5e02f5e44cd555a837907086504f25877f249ddddee8811a21783bc')
const dir: FileProperties = { name: 'docs', isDirectory: true, isLink: false, mimeType: '', size: 0, modified, created, isHidden: false }
const file: FileProperties = { name: 'hello.txt', isDirectory: false, isLink: false, mimeType: 'text/plain', size: 14, modified, created, isHidden: false, streamSecret }
const bigHidden: FileProperties = { ...file, name: 'big.bin', mimeType: 'application/octet-stream', size: 6 * 2 ** 30 + 5, isHidden: true }
const full: FileProperties = {
  ...file, isLink: true, thumbnail: { mimeType: 'image/webp', data: new Uint8Array(100).fill(1) },
  treeHash: { rootHash: new Uint8Array(32).fill(2), level1: new Uint8Array(64).fill(3), level2: new Uint8Array(32).fill(4) },
}
const cborHex = (p: FileProperties) => toHex(encodeCbor(filePropertiesToCbor(p)))

describeVectors('FileProperties vectors (cbor.json FileProperties)', () => {
  const v = loadVector('cbor.json').FileProperties

  it('encodes dir, file, hidden big file and EMPTY byte for byte', () => {
    expect(cborHex(dir)).toBe(v.dirCbor)
    expect(cborHex(file)).toBe(v.fileCbor)
    expect(cborHex(bigHidden)).toBe(v['hiddenBigFileCbor(size 6GiB+5)'])
    expect(cborHex(EMPTY_FILE_PROPERTIES)).toBe(v.emptySubsequentDirChunkCbor)
  })

  it('decodes each vector and re-encodes it identically (EMPTY has negative 64-bit times)', () => {
    for (const k of ['dirCbor', 'fileCbor', 'hiddenBigFileCbor(size 6GiB+5)', 'emptySubsequentDirChunkCbor']) {
      expect(cborHex(filePropertiesFromCbor(decodeCbor(hex(v[k]))))).toBe(v[k])
    }
    const empty = filePropertiesFromCbor(decodeCbor(hex(v.emptySubsequentDirChunkCbor)))
    expect(empty.created.seconds).toBe(MIN_EPOCH_SECONDS)
    expect(empty).toEqual(EMPTY_FILE_PROPERTIES)
    expect(filePropertiesFromCbor(decodeCbor(hex(v.fileCbor)))).toEqual(file)
  })

  it('calculateNextMapKey: sha256(streamSecret ‖ mapKey) and sha256(streamSecret ‖ bat)', () => {
    const n = v.nextChunk
    const next = calculateNextMapKey(c, hex(n.streamSecret), hex(n.mapKey), { secret: hex(n.bat) })
    expect(toHex(next.mapKey)).toBe(n.nextMapKey)
    expect(toHex(next.bat!.secret)).toBe(n.nextBat)
    expect(calculateNextMapKey(c, hex(n.streamSecret), hex(n.mapKey)).bat).toBeUndefined()
  })
})

describe('FileProperties fields and rules', () => {
  it('round-trips thumbnails, links and the hash tree', () => {
    const back = filePropertiesFromCbor(decodeCbor(encodeCbor(filePropertiesToCbor(full))))
    expect(back).toEqual(full)
    const m = filePropertiesToCbor(full) as Map<string, CborValue>
    expect([...m.keys()].sort()).toEqual(['c', 'cn', 'd', 'h', 'i', 'im', 'l', 'm', 'n', 'p', 's', 't', 'th', 'tn'])
    expect([...(m.get('th') as Map<string, CborValue>).keys()]).toEqual(['r', 'l1', 'l2'])
  })

  it("applies Peergos' defaults for absent fields", () => {
    const m = new Map<string, CborValue>([['n', 'x'], ['m', 'text/plain'], ['s', 3], ['t', 100]])
    const p = filePropertiesFromCbor(m)
    expect(p).toMatchObject({ isDirectory: false, isLink: false, isHidden: false, modified: { seconds: 100n, nanos: 0 }, created: { seconds: 100n, nanos: 0 } })
    m.set('i', new Uint8Array(3))
    expect(filePropertiesFromCbor(m).thumbnail?.mimeType).toBe('image/png')
  })

  it('refuses what the Peergos constructor refuses', () => {
    const bad = (change: (m: Map<string, CborValue>) => void) => {
      const m = filePropertiesToCbor(file) as Map<string, CborValue>
      change(m)
      return () => filePropertiesFromCbor(m)
    }
    expect(bad((m) => m.set('n', 'a/b'))).toThrow(InvalidFileNameError)
    expect(bad((m) => m.set('n', '..'))).toThrow(InvalidFileNameError)
    expect(bad((m) => m.set('d', true))).toThrow(expect.objectContaining({ name: 'InvalidObjectError' }))
    expect(bad((m) => m.set('tn', 1_000_000_000))).toThrow(expect.objectContaining({ name: 'InvalidObjectError' }))
    expect(bad((m) => m.set('t', MAX_EPOCH_SECONDS + 1n))).toThrow(expect.objectContaining({ name: 'InvalidObjectError' }))
    expect(bad((m) => m.set('s', -1))).toThrow(expect.objectContaining({ name: 'InvalidObjectError' }))
    expect(bad((m) => m.set('i', new Uint8Array(100 * 1024 + 1)))).toThrow(expect.objectContaining({ name: 'InvalidObjectError' }))
    expect(bad((m) => m.set('th', new Map<string, CborValue>([['r', new Map([['h', new Uint8Array(31)]])]])))).toThrow(expect.objectContaining({ name: 'CborTypeError' }))
    expect(bad((m) => m.delete('m'))).toThrow(expect.objectContaining({ name: 'CborTypeError' }))
  })

  it('converts timestamps to and from milliseconds', () => {
    expect(modified).toEqual({ seconds: 1770091506n, nanos: 789_000_000 })
    expect(timestampToMillis(modified)).toBe(Date.UTC(2026, 1, 3, 4, 5, 6, 789))
    expect(timestampFromMillis(-1)).toEqual({ seconds: -1n, nanos: 999_000_000 })
  })

  it('decodes untrusted FileProperties only to values or PeergosErrors', () => {
    const valid = [dir, file, full, EMPTY_FILE_PROPERTIES].map(filePropertiesToCbor)
    fuzzDecoder((b) => filePropertiesFromCbor(decodeCbor(b)), valid.map((v) => encodeCbor(v)))
    fuzzCborDecoder(filePropertiesFromCbor, valid)
  })
})
