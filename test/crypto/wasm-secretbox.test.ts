// Our SIMD WebAssembly XSalsa20-Poly1305 (crypto/wasm-secretbox.ts), run in Node's V8 as Chromium
// runs it: the same bytes as libsodium.js and sodium-native for random keys, nonces and lengths
// (0 to 5 MiB + 16, every boundary of a 16-byte Poly1305 block and a 256-byte 4-block Salsa20
// batch), copied in and out or sealed and opened where they lie; Peergos's golden vectors; forged
// MACs, altered ciphertext, wrong keys and nonces refused by name, and the box working on after.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import sodium from 'libsodium-wrappers'
import sodiumNative from 'sodium-native'
import { beforeAll, describe, expect, it } from 'vitest'
import { wasmSimdAvailable } from '../../src/crypto/wasm-module.ts'
import { loadWasmSecretbox, secretboxEasy, secretboxOpenEasy, type WasmSecretbox } from '../../src/crypto/wasm-secretbox.ts'
import { describeVectors, haveVectors, hex, loadVector, toHex } from '../vectors.ts'

const CRYPTO = haveVectors ? loadVector('crypto.json') : undefined
const MiB = 1024 * 1024
/** Every edge of a Poly1305 block (16), the 32 bytes of NaCl padding and a Salsa20 batch (256), then large and odd sizes. */
const SIZES = [
  0, 1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 127, 128, 129, 191, 192, 193, 208, 223, 224, 225, 239, 240, 255, 256, 257,
  288, 480, 481, 511, 512, 513, 1000, 4095, 4096, 4097, 65_535, 65_536 + 7, MiB + 3, 5 * MiB, 5 * MiB + 16, 5 * MiB - 7, 333,
]

function random(n: number): Uint8Array {
  const b = Buffer.alloc(n)
  sodiumNative.randombytes_buf(b)
  return new Uint8Array(b)
}

function nativeSeal(m: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  const out = Buffer.alloc(m.length + 16)
  sodiumNative.crypto_secretbox_easy(out, Buffer.from(m), Buffer.from(nonce), Buffer.from(key))
  return new Uint8Array(out)
}

function flip(bytes: Uint8Array, i: number): Uint8Array {
  const b = bytes.slice()
  b[i] ^= 0x01
  return b
}

describe('SIMD wasm secretbox (XSalsa20-Poly1305)', () => {
  let box: WasmSecretbox
  beforeAll(async () => {
    await sodium.ready
    const loaded = await loadWasmSecretbox()
    if (loaded === undefined) throw new Error('Node 20 runs WebAssembly SIMD: the box must load')
    box = loaded
  })

  it('is built from its source as it stands', () => {
    expect(wasmSimdAvailable()).toBe(true)
    // exit 1 when src/crypto/generated/ is older than scripts/wasm-secretbox/ (run npm run build:wasm)
    execFileSync(process.execPath, [join('scripts', 'build-wasm.mjs'), '--check'], { stdio: ['ignore', 'inherit', 'inherit'] })
  })

  it('seals and opens as libsodium.js and sodium-native do, for every size around its block edges', () => {
    for (const n of [...SIZES, ...Array.from({ length: 40 }, () => Math.floor(Math.random() * 20_000))]) {
      const key = random(32), nonce = random(24), m = random(n)
      const want = nativeSeal(m, nonce, key)
      expect(equalHex(sodium.crypto_secretbox_easy(m, nonce, key), want), `libsodium.js vs sodium-native at ${n}`).toBe(true)
      expect(equalHex(secretboxEasy(box, m, nonce, key), want), `seal at ${n}`).toBe(true)
      expect(equalHex(secretboxOpenEasy(box, want, nonce, key), m), `open at ${n}`).toBe(true)
    }
  }, 120_000)

  it('seals into its memory and opens the box where it lies (no copy in between)', () => {
    for (const n of [0, 17, 256, 4097, 3 * MiB + 5]) {
      const key = random(32), nonce = random(24), m = random(n)
      const inPlace = box.seal(key, nonce, n, (input) => input.set(m), (boxed) => {
        expect(equalHex(boxed, nativeSeal(m, nonce, key))).toBe(true)
        return boxed
      })
      // the box is still where seal left it: open with nothing written
      expect(equalHex(box.open(key, nonce, n + 16, (into) => expect(into.byteOffset).toBe(inPlace.byteOffset)), m)).toBe(true)
    }
  })

  it('refuses a forged MAC, altered ciphertext, a wrong key or nonce and a short box, then works on', () => {
    const key = random(32), nonce = random(24), m = random(1000)
    const boxed = nativeSeal(m, nonce, key)
    for (const i of [0, 7, 15, 16, 17, 500, boxed.length - 1]) expect(() => secretboxOpenEasy(box, flip(boxed, i), nonce, key)).toThrow(expect.objectContaining({ name: 'DecryptionFailedError' }))
    expect(() => secretboxOpenEasy(box, boxed, flip(nonce, 23), key)).toThrow(expect.objectContaining({ name: 'DecryptionFailedError' }))
    expect(() => secretboxOpenEasy(box, boxed, nonce, flip(key, 31))).toThrow(expect.objectContaining({ name: 'DecryptionFailedError' }))
    expect(() => secretboxOpenEasy(box, boxed.subarray(0, 15), nonce, key)).toThrow(expect.objectContaining({ name: 'DecryptionFailedError' }))
    expect(() => secretboxOpenEasy(box, new Uint8Array(16), nonce, key)).toThrow(expect.objectContaining({ name: 'DecryptionFailedError' }))
    expect(() => secretboxEasy(box, m, nonce, key.subarray(1))).toThrow(expect.objectContaining({ name: 'InvalidCryptoInputError' }))
    expect(() => secretboxEasy(box, m, nonce.subarray(1), key)).toThrow(expect.objectContaining({ name: 'InvalidCryptoInputError' }))
    expect(() => secretboxOpenEasy(box, boxed, new Uint8Array(23), key)).toThrow(expect.objectContaining({ name: 'InvalidCryptoInputError' }))
    expect(equalHex(secretboxOpenEasy(box, boxed, nonce, key), m)).toBe(true)
    expect(equalHex(secretboxEasy(box, m, nonce, key), boxed)).toBe(true)
  })

  describeVectors('crypto.json (Peergos golden vectors)', () => {
    it('seals to the vectors and opens them', () => {
      for (const v of CRYPTO.secretbox.cases) {
        const key = hex(v.key), nonce = hex(v.nonce), msg = hex(v.message), out = hex(v.output)
        expect(toHex(secretboxEasy(box, msg, nonce, key))).toBe(v.output)
        expect(toHex(secretboxOpenEasy(box, out, nonce, key))).toBe(v.message)
        expect(() => secretboxOpenEasy(box, flip(out, out.length - 1), nonce, key)).toThrow(expect.objectContaining({ name: 'DecryptionFailedError' }))
      }
    })
  })
})

function equalHex(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && toHex(a) === toHex(b)
}
