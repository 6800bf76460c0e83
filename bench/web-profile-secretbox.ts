// Microbenchmark of the chunk helpers' secretbox choices in Node (V8 runs the same wasm as Chromium):
// MB/s to seal and to open 5 MiB chunks, 100 MiB each way, for our SIMD wasm box
// (crypto/wasm-secretbox.ts), libsodium.js's wasm in its own heap (web/worker/sodium-heap-secretbox.ts)
// and sodium-native. The inputs are written through `fill`
// and the outputs read through `use`, as the helpers do. Each figure is the best of 9 interleaved
// rounds of 20 chunks.   npx tsx bench/web-profile-secretbox.ts
import sodiumNative from 'sodium-native'
import { createPortableCrypto } from '../src/crypto/providers/portable.ts'
import { loadWasmSecretbox, type WasmSecretbox } from '../src/crypto/wasm-secretbox.ts'
import { sodiumHeapSecretbox } from '../src/web/worker/sodium-heap-secretbox.ts'

const MiB = 1024 * 1024
const CHUNK = 5 * MiB
const CHUNKS = 20
const ROUNDS = 9

interface Contender { name: string; seal: () => void; open: () => void; best: { seal: number; open: number } }

function boxContender(name: string, box: WasmSecretbox, key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Contender {
  const boxed = box.seal(key, nonce, plain.length, (i) => i.set(plain), (b) => b.slice())
  let sink = 0
  return {
    name,
    seal: () => { sink ^= box.seal(key, nonce, plain.length, (i) => i.set(plain), (b) => b[7]) },
    open: () => { sink ^= box.open(key, nonce, boxed.length, (i) => i.set(boxed))[7] + (sink & 0) },
    best: { seal: Infinity, open: Infinity },
  }
}

/** Milliseconds for CHUNKS calls of `op`. */
function time(op: () => void): number {
  const t = performance.now()
  for (let i = 0; i < CHUNKS; i++) op()
  return performance.now() - t
}

const c = await createPortableCrypto()
const key = c.randomBytes(32)
const nonce = c.randomBytes(24)
const plain = c.randomBytes(CHUNK)
const ours = await loadWasmSecretbox()
if (ours === undefined) throw new Error('no WebAssembly SIMD here')
const out = Buffer.alloc(CHUNK + 16)
const back = Buffer.alloc(CHUNK)
const nk = Buffer.from(key), nn = Buffer.from(nonce), np = Buffer.from(plain)
sodiumNative.crypto_secretbox_easy(out, np, nn, nk)
const boxed = Buffer.from(out)
const contenders: Contender[] = [
  boxContender('wasm SIMD (ours)', ours, key, nonce, plain),
  boxContender('libsodium.js wasm, in its heap', sodiumHeapSecretbox(c), key, nonce, plain),
  {
    name: 'sodium-native',
    seal: () => sodiumNative.crypto_secretbox_easy(out, np, nn, nk),
    open: () => { if (!sodiumNative.crypto_secretbox_open_easy(back, boxed, nn, nk)) throw new Error('open failed') },
    best: { seal: Infinity, open: Infinity },
  },
]
// rounds interleaved and the best of each kept: on a shared machine the load moves every figure
for (let r = 0; r < ROUNDS; r++) {
  for (const k of contenders) {
    k.best.seal = Math.min(k.best.seal, time(k.seal))
    k.best.open = Math.min(k.best.open, time(k.open))
  }
}
const MB = (CHUNK * CHUNKS) / 1e6
for (const k of contenders) {
  const seal = MB / (k.best.seal / 1000), open = MB / (k.best.open / 1000)
  console.log(`${k.name.padEnd(32)} seal ${seal.toFixed(0).padStart(5)} MB/s   open ${open.toFixed(0).padStart(5)} MB/s   (${(k.best.seal / 1000).toFixed(3)} / ${(k.best.open / 1000).toFixed(3)} s per 100 MiB)`)
}
