// Microbenchmark of the login scrypt (N = 2^17, r = 8, p = 1, 96 bytes, as Peergos' login) for each
// scrypt we have: our SIMD wasm ROMix (crypto/wasm-scrypt.ts) keeping its instance and with a fresh
// instance per call, node:crypto's (OpenSSL, on libuv's threadpool) and hash-wasm's wasm. The
// contenders are interleaved, ROUNDS rounds; each figure is the best and the median wall-clock time,
// and the median CPU time of this process (every thread: node:crypto's runs on the threadpool),
// which a loaded machine inflates far less; with the load average before and after (2 shared cores).
//   npx tsx bench/scrypt.bench.ts [rounds]
import { loadavg } from 'node:os'
import { scrypt as nodeScrypt } from 'node:crypto'
import { scrypt as hashWasmScrypt } from 'hash-wasm'
import { loadWasmScrypt } from '../src/crypto/wasm-scrypt.ts'

const ROUNDS = Number(process.argv[2] ?? 7)
const LOG2N = 17, R = 8, P = 1, DKLEN = 96
const password = new TextEncoder().encode('a password of the usual length')
const salt = new TextEncoder().encode('aliceextra-salt-of-32-characters')

const kept = await loadWasmScrypt({ keepMemory: true })
const fresh = await loadWasmScrypt()
if (kept === undefined || fresh === undefined) throw new Error('Node 20 runs WebAssembly SIMD')

const contenders: Record<string, () => Promise<Uint8Array>> = {
  'wasm-simd (kept instance)': () => kept.scrypt(password, salt, LOG2N, R, P, DKLEN),
  'wasm-simd (fresh instance)': () => fresh.scrypt(password, salt, LOG2N, R, P, DKLEN),
  'node:crypto': () => new Promise((resolve, reject) => nodeScrypt(password, salt, DKLEN, { N: 2 ** LOG2N, r: R, p: P, maxmem: 2 ** 30 },
    (err, key) => err ? reject(err) : resolve(new Uint8Array(key)))),
  'hash-wasm': () => hashWasmScrypt({ password, salt, costFactor: 2 ** LOG2N, blockSize: R, parallelism: P, hashLength: DKLEN, outputType: 'binary' }),
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const first: Record<string, string> = {}
for (const [name, run] of Object.entries(contenders)) first[name] = hex(await run()) // warm-up, and the same bytes from all
if (new Set(Object.values(first)).size !== 1) throw new Error(`the contenders disagree: ${JSON.stringify(first)}`)

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
console.log(`scrypt N=2^${LOG2N} r=${R} p=${P} dkLen=${DKLEN}, ${ROUNDS} interleaved rounds; load before: ${load()}`)
const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(contenders)) {
    const t = performance.now()
    const c = process.cpuUsage()
    await run()
    times[name]!.push(performance.now() - t)
    const used = process.cpuUsage(c)
    cpu[name]!.push((used.user + used.system) / 1000)
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const nodeBest = Math.min(...times['node:crypto']!)
for (const [name, xs] of Object.entries(times)) {
  const best = Math.min(...xs)
  console.log(`${name.padEnd(28)} best ${best.toFixed(0).padStart(4)} ms  median ${median(xs).toFixed(0).padStart(4)} ms  CPU median ${median(cpu[name]!).toFixed(0).padStart(4)} ms  (node:crypto best / best: ${(nodeBest / best).toFixed(2)}×)`)
}
console.log(`load after: ${load()}`)
