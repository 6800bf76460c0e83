// Our SIMD WebAssembly scrypt (crypto/wasm-scrypt.ts), run in Node's V8 as Chromium runs it: the
// same bytes as node:crypto's (OpenSSL) for many passwords, salts (empty ones too), N = 2^1 .. 2^17,
// r = 1 .. 16, p = 1 .. 3 and output lengths; RFC 7914's vectors; Peergos' golden login vectors;
// bad parameters refused with InvalidCryptoInputError; a kept instance's memory wiped after each
// call and dropped after a scrypt larger than a login's or after its idle time; calls at once each
// getting their answer.
import { execFileSync } from 'node:child_process'
import { randomBytes, scrypt as nodeScrypt } from 'node:crypto'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { WASM_SCRYPT_KEEPS_V_UP_TO, loadWasmScrypt, type WasmScrypt } from '../../src/crypto/wasm-scrypt.ts'
import { wasmSimdAvailable } from '../../src/crypto/wasm-module.ts'
import { describeVectors, haveVectors, hex, loadVector, toHex } from '../vectors.ts'

const LOGIN = haveVectors ? loadVector('login.json') : { cases: [] }
const utf8 = (s: string) => new TextEncoder().encode(s)

function opensslScrypt(password: Uint8Array, salt: Uint8Array, log2N: number, r: number, p: number, dkLen: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    nodeScrypt(password, salt, dkLen, { N: 2 ** log2N, r, p, maxmem: 2 ** 30 }, (err, key) => err ? reject(err) : resolve(new Uint8Array(key)))
  })
}

/** A random integer in [lo, hi]. */
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1))

async function load(keepMemory: boolean): Promise<WasmScrypt> {
  const loaded = await loadWasmScrypt({ keepMemory })
  if (loaded === undefined) throw new Error('Node 20 runs WebAssembly SIMD: the scrypt must load')
  return loaded
}

describe('SIMD wasm scrypt', () => {
  let fresh: WasmScrypt
  let kept: WasmScrypt
  beforeAll(async () => {
    fresh = await load(false)
    kept = await load(true)
  })

  it('is built from its source as it stands', () => {
    expect(wasmSimdAvailable()).toBe(true)
    // exit 1 when src/crypto/generated/ is older than scripts/wasm-scrypt/ (run npm run build:wasm)
    execFileSync(process.execPath, [join('scripts', 'build-wasm.mjs'), '--check'], { stdio: ['ignore', 'inherit', 'inherit'] })
  })

  it('gives RFC 7914 §12\'s outputs', async () => {
    for (const s of [fresh, kept]) {
      expect(toHex(await s.scrypt(new Uint8Array(0), new Uint8Array(0), 4, 1, 1, 64)))
        .toBe('77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906')
      expect(toHex(await s.scrypt(utf8('password'), utf8('NaCl'), 10, 8, 16, 64)))
        .toBe('fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640')
      expect(toHex(await s.scrypt(utf8('pleaseletmein'), utf8('SodiumChloride'), 14, 8, 1, 64)))
        .toBe('7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887')
    }
  })

  it('gives node:crypto\'s bytes for every log2N from 1 to 17, r from 1 to 16 and p from 1 to 3', async () => {
    const cases: [number, number, number][] = []
    // (OpenSSL refuses N ≥ 2^(16·r), RFC 7914's bound, so r = 1 stops at 2^15 here; ours computes those too)
    for (let log2N = 1; log2N <= 17; log2N++) cases.push([log2N, between(log2N >= 16 ? 2 : 1, log2N > 12 ? 2 : 16), between(1, 3)])
    for (let r = 1; r <= 16; r++) cases.push([between(1, 10), r, between(1, 3)])
    for (let p = 1; p <= 3; p++) cases.push([between(1, 8), between(1, 16), p])
    cases.push([17, 8, 1], [16, 16, 1], [1, 1, 1], [1, 16, 3], [2, 3, 3])
    for (const [log2N, r, p] of cases) {
      // empty, short and long passwords and salts, and output lengths around SHA-256's 32-byte blocks
      const password = new Uint8Array(randomBytes([0, 1, 32, 64, 65, 200][between(0, 5)]!))
      const salt = new Uint8Array(randomBytes([0, 1, 16, 32, 100][between(0, 4)]!))
      const dkLen = [1, 16, 31, 32, 33, 64, 96, 100, 257][between(0, 8)]!
      const want = toHex(await opensslScrypt(password, salt, log2N, r, p, dkLen))
      const s = Math.random() < 0.5 ? fresh : kept
      expect(toHex(await s.scrypt(password, salt, log2N, r, p, dkLen)), `log2N=${log2N} r=${r} p=${p} dkLen=${dkLen} |P|=${password.length} |S|=${salt.length}`).toBe(want)
    }
  })

  describeVectors('login.json (the Peergos login scrypt)', () => {
    it.each(LOGIN.cases.map((v: { username: string }) => [v.username, v]) as [string, any][])('%s', async (_u, v) => {
      const a = v.algorithm
      const out = await kept.scrypt(hex(v.scryptPassword_sha256), hex(v.scryptSalt_utf8), a.memoryCost, a.cpuCost, a.parallelism, a.outputBytes)
      expect(toHex(out)).toBe(v.scryptOutput)
    })
  })

  it.each([
    ['log2N = 0', [0, 8, 1, 64]],
    ['log2N = 31', [31, 1, 1, 64]],
    ['log2N not an integer', [10.5, 8, 1, 64]],
    ['r = 0', [10, 0, 1, 64]],
    ['p = 0', [10, 8, 0, 64]],
    ['dkLen = 0', [10, 8, 1, 0]],
    ['dkLen above 4096', [10, 8, 1, 4097]],
    ['r·p of 2^30', [4, 2 ** 15, 2 ** 15, 64]],
    ['memory above the cap', [25, 8, 1, 64]],
  ] as const)('refuses %s with InvalidCryptoInputError', async (_what, [log2N, r, p, dkLen]) => {
    const m = utf8('x')
    for (const s of [fresh, kept]) await expect(s.scrypt(m, m, log2N, r, p, dkLen)).rejects.toMatchObject({ name: 'InvalidCryptoInputError' })
    await expect(kept.scrypt('password' as unknown as Uint8Array, m, 4, 1, 1, 64)).rejects.toMatchObject({ name: 'InvalidCryptoInputError' })
  })

  it('keeps a wiped memory between calls when asked, none otherwise, and drops one grown past a login\'s', async () => {
    const pw = utf8('pw'), salt = utf8('salt')
    await fresh.scrypt(pw, salt, 12, 8, 1, 32)
    expect(fresh.heldMemory()).toBeUndefined()

    await kept.scrypt(pw, salt, 17, 8, 1, 96)
    const held = kept.heldMemory()
    expect(held?.byteLength).toBeGreaterThanOrEqual(128 * 8 * 2 ** 17)
    const words = new Uint32Array(held!)
    let nonZero = 0
    for (let i = 0; i < words.length; i++) nonZero |= words[i]!
    expect(nonZero).toBe(0)

    // 2^18 · 128 · 9 bytes: past WASM_SCRYPT_KEEPS_V_UP_TO, so that memory goes with its instance
    expect(128 * 9 * 2 ** 18).toBeGreaterThan(WASM_SCRYPT_KEEPS_V_UP_TO)
    const big = await kept.scrypt(pw, salt, 18, 9, 1, 32)
    expect(toHex(big)).toBe(toHex(await opensslScrypt(pw, salt, 18, 9, 1, 32)))
    expect(kept.heldMemory()).toBeUndefined()
    // and the next call works in a new instance, kept again
    expect(toHex(await kept.scrypt(pw, salt, 10, 8, 1, 32))).toBe(toHex(await opensslScrypt(pw, salt, 10, 8, 1, 32)))
    expect(kept.heldMemory()?.byteLength).toBeLessThan(2 * 2 ** 20)
  })

  it('drops a kept instance once releaseAfterMs pass without a call', async () => {
    const brief = await loadWasmScrypt({ keepMemory: true, releaseAfterMs: 20 })
    await brief!.scrypt(utf8('pw'), utf8('salt'), 12, 8, 1, 32)
    expect(brief!.heldMemory()?.byteLength).toBeGreaterThanOrEqual(128 * 8 * 2 ** 12)
    // a timer set later for longer fires after the release timer
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(brief!.heldMemory()).toBeUndefined()
    expect(toHex(await brief!.scrypt(utf8('pw'), utf8('salt'), 12, 8, 1, 32))).toBe(toHex(await opensslScrypt(utf8('pw'), utf8('salt'), 12, 8, 1, 32)))
  })

  it('answers calls made at once, each with its own bytes', async () => {
    const inputs = Array.from({ length: 4 }, (_, i) => [utf8(`password ${i}`), utf8(`salt ${i}`), 10 + i, 1 + i] as const)
    for (const s of [fresh, kept]) {
      const got = await Promise.all(inputs.map(([pw, salt, log2N, r]) => s.scrypt(pw, salt, log2N, r, 2, 64)))
      const want = await Promise.all(inputs.map(([pw, salt, log2N, r]) => opensslScrypt(pw, salt, log2N, r, 2, 64)))
      expect(got.map(toHex)).toEqual(want.map(toHex))
    }
  })
})
