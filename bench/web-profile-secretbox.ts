// Microbenchmark of the chunk helpers' secretbox choices in Node (V8 runs the same wasm as Chromium):
// MB/s to seal and to open 5 MiB chunks, 100 MiB each way, for our SIMD wasm box
// (crypto/wasm-secretbox.ts), libsodium.js's wasm in its own heap (web/worker/sodium-heap-secretbox.ts)
// and sodium-native. Each figure is the median of 7 rounds; the inputs are written through `fill`
// and the outputs read through `use`, as the helpers do.   npx tsx bench/web-profile-secretbox.ts
import sodiumNative from 'sodium-native'
import { createPortableCrypto } from '../src/crypto/providers/portable.ts'
import { loadWasmSecretbox, type WasmSecretbox } from '../src/crypto/wasm-secretbox.ts'
import { sodiumHeapSecretbox } from '../src/web/worker/sodium-heap-secretbox.ts'

const MiB = 1024 * 1024
const CHUNK = 5 * MiB
const CHUNKS = 20
const ROUNDS = 7

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

/** MB/s (10^6 bytes) of `op` over CHUNKS chunks, median of ROUNDS. */
function rate(op: () => void): number {
  op()
  const times: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now()
    for (let i = 0; i < CHUNKS; i++) op()
    times.push(performance.now() - t)
  }
  return (CHUNK * CHUNKS) / 1e6 / (median(times) / 1000)
}

function boxRates(box: WasmSecretbox, key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): { seal: number; open: number } {
  const boxed = box.seal(key, nonce, plain.length, (i) => i.set(plain), (b) => b.slice())
  let sink = 0
  const seal = rate(() => { sink ^= box.seal(key, nonce, plain.length, (i) => i.set(plain), (b) => b[7]) })
  const open = rate(() => { sink ^= box.open(key, nonce, boxed.length, (i) => i.set(boxed))[7] })
  if (sink === -1) console.log(sink)
  return { seal, open }
}

const c = await createPortableCrypto()
const key = c.randomBytes(32)
const nonce = c.randomBytes(24)
const plain = c.randomBytes(CHUNK)
const ours = await loadWasmSecretbox()
if (ours === undefined) throw new Error('no WebAssembly SIMD here')
const rows: [string, { seal: number; open: number }][] = [
  ['wasm SIMD (ours)', boxRates(ours, key, nonce, plain)],
  ['libsodium.js wasm, in its heap', boxRates(sodiumHeapSecretbox(c), key, nonce, plain)],
]
const out = Buffer.alloc(CHUNK + 16)
const back = Buffer.alloc(CHUNK)
const nk = Buffer.from(key), nn = Buffer.from(nonce), np = Buffer.from(plain)
sodiumNative.crypto_secretbox_easy(out, np, nn, nk)
const boxed = Buffer.from(out)
rows.push(['sodium-native', {
  seal: rate(() => sodiumNative.crypto_secretbox_easy(out, np, nn, nk)),
  open: rate(() => { if (!sodiumNative.crypto_secretbox_open_easy(back, boxed, nn, nk)) throw new Error('open failed') }),
}])
for (const [name, r] of rows) console.log(`${name.padEnd(32)} seal ${r.seal.toFixed(0).padStart(5)} MB/s   open ${r.open.toFixed(0).padStart(5)} MB/s   (${(104.8576 / r.seal).toFixed(3)} / ${(104.8576 / r.open).toFixed(3)} s per 100 MiB)`)
