// Shared test helpers for the server block stores: random blocks with their CIDs, a recursive
// file listing, an independent RFC 4648 base32 encoder to cross-check block keys, and the checks of
// the fault-injection tests (call order, each step of a put failed in turn, nothing partial left).
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { expect } from 'vitest'
import { blockCid, verifyBlock, type CID } from '../../../src/codec/cid.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import type { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import type { FaultyFs } from './faulty-fs.ts'

let cached: Promise<CryptoProvider> | undefined
export function crypto(): Promise<CryptoProvider> {
  cached ??= createNodeCrypto()
  return cached
}

export interface TestBlock {
  readonly cid: CID
  readonly bytes: Uint8Array
}

export async function makeBlock(size: number, raw = true): Promise<TestBlock> {
  const bytes = new Uint8Array(randomBytes(size))
  return { cid: blockCid(await crypto(), bytes, raw), bytes }
}

/** Every file under dir, as paths relative to it (sorted). */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p))
    }
  }
  walk(dir)
  return out.sort()
}

/** RFC 4648 base32, upper case, no padding: written from the RFC, independent of multiformats. */
export function base32Rfc4648(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  let out = ''
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
    value &= (1 << bits) - 1
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
  return out
}

/** Flips one bit of a copy of the bytes. */
export function flipBit(bytes: Uint8Array, index = 0): Uint8Array {
  const copy = new Uint8Array(bytes)
  copy[index % Math.max(1, copy.length)] ^= 0x01
  return copy
}

/** Fast byte equality for big blocks (vitest's toEqual walks element by element). */
export function expectBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  if (actual === undefined) throw new Error(`expected ${expected.length} bytes, got undefined`)
  if (actual.length !== expected.length) throw new Error(`expected ${expected.length} bytes, got ${actual.length}`)
  if (!Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.length))) {
    throw new Error(`bytes differ (length ${expected.length})`)
  }
}

/** The ops of a FaultyFs trace ("op path" each), in order. */
export function opsOf(trace: readonly string[]): string[] {
  return trace.map((t) => t.split(' ')[0])
}

/** A promise held pending until open() is called (a gate a test opens when it has seen the wait). */
export function gate(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open = (): void => undefined
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

/** One call of a FaultyFs trace ("op path"): its op, and a path ending as given. */
export type TraceStep = readonly [op: string, pathEnd: string]

/**
 * Asserts that `trace` (FaultyFs.trace) holds each step after the one before it. Calls made in parallel
 * (a new directory's fsync into its parent while a block is written into it) may interleave otherwise.
 */
export function expectInOrder(trace: readonly string[], steps: readonly TraceStep[]): void {
  let from = 0
  for (const [op, pathEnd] of steps) {
    const i = trace.findIndex((t, k) => k >= from && t.startsWith(`${op} `) && t.endsWith(pathEnd))
    if (i < 0) throw new Error(`no "${op} …${pathEnd}" after call ${from} in:\n${trace.join('\n')}`)
    from = i + 1
  }
}

/** No temp file and no copy of alice's `b` in `store`, and every block file left re-hashes to its name's CID. */
export async function expectNothingPartial(store: FileBlockStore, b: TestBlock): Promise<void> {
  expect(listFiles(store.blocksDir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  expect(existsSync(store.pathOf('alice', b.cid))).toBe(false)
  expect(await store.has(b.cid)).toBe(false)
  expect(await store.get(b.cid)).toBeUndefined()
  const c = await crypto()
  for await (const e of store.entries()) verifyBlock(c, e.cid, new Uint8Array(readFileSync(store.pathOf(e.ownerDir, e.cid))))
}

export interface FailEachStep {
  /** A fresh store on `fs`, for each step. */
  readonly open: () => Promise<FileBlockStore>
  readonly fs: FaultyFs
  /** The calls of the put (FaultyFs.trace), one of which fails each time. */
  readonly steps: readonly string[]
  readonly code: string
  /** The name of the typed error the failed put throws. */
  readonly errorName: string
  /** Sizes of bob's block, put first, and of alice's block, whose put fails. */
  readonly otherSize: number
  readonly size: number
}

/**
 * Fails each of a put's steps in turn (FaultyFs `fault.nth`) with `code`, each time in a fresh store
 * that already holds a block of bob's: alice's put throws `errorName` and leaves nothing partial, the
 * same put then works, and bob's block is intact.
 */
export async function failEachStepInTurn(o: FailEachStep): Promise<void> {
  for (let nth = 1; nth <= o.steps.length; nth++) {
    const store = await o.open()
    const other = await makeBlock(o.otherSize)
    await store.put('bob', other.cid, other.bytes)
    const b = await makeBlock(o.size)
    o.fs.reset()
    o.fs.fault = { nth, code: o.code }
    await expect(store.put('alice', b.cid, b.bytes), `step ${nth}: ${o.steps[nth - 1]}`).rejects.toMatchObject({ name: o.errorName })
    await expectNothingPartial(store, b)
    await store.put('alice', b.cid, b.bytes)
    expectBytes(await store.get(b.cid), b.bytes)
    expectBytes(await store.get(other.cid), other.bytes)
    await store.close()
  }
}
