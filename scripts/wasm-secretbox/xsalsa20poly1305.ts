// XSalsa20-Poly1305 (NaCl crypto_secretbox) in AssemblyScript, compiled to WebAssembly with 128-bit
// SIMD by scripts/build-wasm.mjs. Salsa20 runs on four 64-byte blocks at once, one state
// word of each block per i32x4 lane; Poly1305 uses five 26-bit limbs in i64 and takes two message
// blocks per step (h = (h + m1)·r² + m2·r). The two are interleaved: each 4-block batch's rounds
// carry the Poly1305 steps of 256 bytes (the batch before it when sealing, the batch itself, before
// its XOR, when opening), so the vector and the scalar multiply units work at the same time.
// No allocator: the caller writes the key and nonce at keyOffset()/nonceOffset() and the message
// after dataOffset(), growing the memory itself.
//
// Layout around P = dataOffset() (NaCl's 32 zero bytes before the message):
//   seal(n):  plaintext at P+32 .. P+32+n  →  MAC at P+16, ciphertext at P+32  (the box is P+16 .. P+32+n)
//   open(n):  box (MAC ‖ ciphertext, n ≥ 16) at P+16  →  0 and the plaintext at P+32 .. P+16+n, or -1
//             (forged, or the wrong key or nonce: the region is wiped)

const KEY: usize = memory.data(32, 16)
const NONCE: usize = memory.data(32, 16)
const SUBKEY: usize = memory.data(32, 16)
/** The initial state of a 4-block batch: 16 words, each splat over 4 lanes (the counter word per lane). */
const STATE: usize = memory.data(256, 16)
/** Scratch: the keystream of a last, partial batch, or of the first batch when opening. */
const BLOCKS: usize = memory.data(256, 16)
const TAG: usize = memory.data(16, 16)
/** A last, partial Poly1305 block, padded. */
const PAD: usize = memory.data(16, 16)

const SIGMA0: u32 = 0x61707865
const SIGMA1: u32 = 0x3320646e
const SIGMA2: u32 = 0x79622d32
const SIGMA3: u32 = 0x6b206574

export function keyOffset(): usize {
  return KEY
}

export function nonceOffset(): usize {
  return NONCE
}

export function dataOffset(): usize {
  return (__heap_base + 63) & ~(<usize>63)
}

/** HSalsa20(KEY, NONCE[0..16]) → SUBKEY. */
function hsalsa20(): void {
  let x0 = SIGMA0, x5 = SIGMA1, x10 = SIGMA2, x15 = SIGMA3
  let x1 = load<u32>(KEY, 0), x2 = load<u32>(KEY, 4), x3 = load<u32>(KEY, 8), x4 = load<u32>(KEY, 12)
  let x11 = load<u32>(KEY, 16), x12 = load<u32>(KEY, 20), x13 = load<u32>(KEY, 24), x14 = load<u32>(KEY, 28)
  let x6 = load<u32>(NONCE, 0), x7 = load<u32>(NONCE, 4), x8 = load<u32>(NONCE, 8), x9 = load<u32>(NONCE, 12)
  for (let i = 0; i < 10; i++) {
    x4 ^= rotl<u32>(x0 + x12, 7); x8 ^= rotl<u32>(x4 + x0, 9); x12 ^= rotl<u32>(x8 + x4, 13); x0 ^= rotl<u32>(x12 + x8, 18)
    x9 ^= rotl<u32>(x5 + x1, 7); x13 ^= rotl<u32>(x9 + x5, 9); x1 ^= rotl<u32>(x13 + x9, 13); x5 ^= rotl<u32>(x1 + x13, 18)
    x14 ^= rotl<u32>(x10 + x6, 7); x2 ^= rotl<u32>(x14 + x10, 9); x6 ^= rotl<u32>(x2 + x14, 13); x10 ^= rotl<u32>(x6 + x2, 18)
    x3 ^= rotl<u32>(x15 + x11, 7); x7 ^= rotl<u32>(x3 + x15, 9); x11 ^= rotl<u32>(x7 + x3, 13); x15 ^= rotl<u32>(x11 + x7, 18)
    x1 ^= rotl<u32>(x0 + x3, 7); x2 ^= rotl<u32>(x1 + x0, 9); x3 ^= rotl<u32>(x2 + x1, 13); x0 ^= rotl<u32>(x3 + x2, 18)
    x6 ^= rotl<u32>(x5 + x4, 7); x7 ^= rotl<u32>(x6 + x5, 9); x4 ^= rotl<u32>(x7 + x6, 13); x5 ^= rotl<u32>(x4 + x7, 18)
    x11 ^= rotl<u32>(x10 + x9, 7); x8 ^= rotl<u32>(x11 + x10, 9); x9 ^= rotl<u32>(x8 + x11, 13); x10 ^= rotl<u32>(x9 + x8, 18)
    x12 ^= rotl<u32>(x15 + x14, 7); x13 ^= rotl<u32>(x12 + x15, 9); x14 ^= rotl<u32>(x13 + x12, 13); x15 ^= rotl<u32>(x14 + x13, 18)
  }
  store<u32>(SUBKEY, x0, 0); store<u32>(SUBKEY, x5, 4); store<u32>(SUBKEY, x10, 8); store<u32>(SUBKEY, x15, 12)
  store<u32>(SUBKEY, x6, 16); store<u32>(SUBKEY, x7, 20); store<u32>(SUBKEY, x8, 24); store<u32>(SUBKEY, x9, 28)
}

/** STATE for Salsa20(SUBKEY, NONCE[16..24]) from block 0. */
function setup(): void {
  hsalsa20()
  v128.store(STATE, i32x4.splat(SIGMA0), 0)
  for (let i: usize = 0; i < 4; i++) v128.store(STATE + 16 + 16 * i, i32x4.splat(load<u32>(SUBKEY + 4 * i)))
  v128.store(STATE, i32x4.splat(SIGMA1), 80)
  v128.store(STATE, i32x4.splat(load<u32>(NONCE, 16)), 96)
  v128.store(STATE, i32x4.splat(load<u32>(NONCE, 20)), 112)
  v128.store(STATE, i32x4(0, 1, 2, 3), 128)
  v128.store(STATE, i32x4.splat(0), 144)
  v128.store(STATE, i32x4.splat(SIGMA2), 160)
  for (let i: usize = 0; i < 4; i++) v128.store(STATE + 176 + 16 * i, i32x4.splat(load<u32>(SUBKEY + 16 + 4 * i)))
  v128.store(STATE, i32x4.splat(SIGMA3), 240)
}

// @ts-ignore: decorator
@inline function rotv(x: v128, n: i32): v128 {
  return v128.or(i32x4.shl(x, n), i32x4.shr_u(x, 32 - n))
}

// @ts-ignore: decorator
@inline function xor4(p: usize, a: v128, b: v128, c: v128, d: v128): void {
  const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5)
  const t1 = i32x4.shuffle(a, b, 2, 6, 3, 7)
  const t2 = i32x4.shuffle(c, d, 0, 4, 1, 5)
  const t3 = i32x4.shuffle(c, d, 2, 6, 3, 7)
  v128.store(p, v128.xor(v128.load(p, 0), i64x2.shuffle(t0, t2, 0, 2)), 0)
  v128.store(p, v128.xor(v128.load(p, 64), i64x2.shuffle(t0, t2, 1, 3)), 64)
  v128.store(p, v128.xor(v128.load(p, 128), i64x2.shuffle(t1, t3, 0, 2)), 128)
  v128.store(p, v128.xor(v128.load(p, 192), i64x2.shuffle(t1, t3, 1, 3)), 192)
}

/** XORs the next four keystream blocks (counter lanes in STATE) onto p .. p+256 and moves the counters on by 4. */
function core4(p: usize): void {
  let x0 = v128.load(STATE, 0), x1 = v128.load(STATE, 16), x2 = v128.load(STATE, 32), x3 = v128.load(STATE, 48)
  let x4 = v128.load(STATE, 64), x5 = v128.load(STATE, 80), x6 = v128.load(STATE, 96), x7 = v128.load(STATE, 112)
  let x8 = v128.load(STATE, 128), x9 = v128.load(STATE, 144), x10 = v128.load(STATE, 160), x11 = v128.load(STATE, 176)
  let x12 = v128.load(STATE, 192), x13 = v128.load(STATE, 208), x14 = v128.load(STATE, 224), x15 = v128.load(STATE, 240)
  for (let i = 0; i < 10; i++) {
    x4 = v128.xor(x4, rotv(i32x4.add(x0, x12), 7)); x9 = v128.xor(x9, rotv(i32x4.add(x5, x1), 7)); x14 = v128.xor(x14, rotv(i32x4.add(x10, x6), 7)); x3 = v128.xor(x3, rotv(i32x4.add(x15, x11), 7))
    x8 = v128.xor(x8, rotv(i32x4.add(x4, x0), 9)); x13 = v128.xor(x13, rotv(i32x4.add(x9, x5), 9)); x2 = v128.xor(x2, rotv(i32x4.add(x14, x10), 9)); x7 = v128.xor(x7, rotv(i32x4.add(x3, x15), 9))
    x12 = v128.xor(x12, rotv(i32x4.add(x8, x4), 13)); x1 = v128.xor(x1, rotv(i32x4.add(x13, x9), 13)); x6 = v128.xor(x6, rotv(i32x4.add(x2, x14), 13)); x11 = v128.xor(x11, rotv(i32x4.add(x7, x3), 13))
    x0 = v128.xor(x0, rotv(i32x4.add(x12, x8), 18)); x5 = v128.xor(x5, rotv(i32x4.add(x1, x13), 18)); x10 = v128.xor(x10, rotv(i32x4.add(x6, x2), 18)); x15 = v128.xor(x15, rotv(i32x4.add(x11, x7), 18))

    x1 = v128.xor(x1, rotv(i32x4.add(x0, x3), 7)); x6 = v128.xor(x6, rotv(i32x4.add(x5, x4), 7)); x11 = v128.xor(x11, rotv(i32x4.add(x10, x9), 7)); x12 = v128.xor(x12, rotv(i32x4.add(x15, x14), 7))
    x2 = v128.xor(x2, rotv(i32x4.add(x1, x0), 9)); x7 = v128.xor(x7, rotv(i32x4.add(x6, x5), 9)); x8 = v128.xor(x8, rotv(i32x4.add(x11, x10), 9)); x13 = v128.xor(x13, rotv(i32x4.add(x12, x15), 9))
    x3 = v128.xor(x3, rotv(i32x4.add(x2, x1), 13)); x4 = v128.xor(x4, rotv(i32x4.add(x7, x6), 13)); x9 = v128.xor(x9, rotv(i32x4.add(x8, x11), 13)); x14 = v128.xor(x14, rotv(i32x4.add(x13, x12), 13))
    x0 = v128.xor(x0, rotv(i32x4.add(x3, x2), 18)); x5 = v128.xor(x5, rotv(i32x4.add(x4, x7), 18)); x10 = v128.xor(x10, rotv(i32x4.add(x9, x8), 18)); x15 = v128.xor(x15, rotv(i32x4.add(x14, x13), 18))
  }
  x0 = i32x4.add(x0, v128.load(STATE, 0)); x1 = i32x4.add(x1, v128.load(STATE, 16)); x2 = i32x4.add(x2, v128.load(STATE, 32)); x3 = i32x4.add(x3, v128.load(STATE, 48))
  xor4(p, x0, x1, x2, x3)
  x4 = i32x4.add(x4, v128.load(STATE, 64)); x5 = i32x4.add(x5, v128.load(STATE, 80)); x6 = i32x4.add(x6, v128.load(STATE, 96)); x7 = i32x4.add(x7, v128.load(STATE, 112))
  xor4(p + 16, x4, x5, x6, x7)
  const counters = v128.load(STATE, 128)
  x8 = i32x4.add(x8, counters); x9 = i32x4.add(x9, v128.load(STATE, 144)); x10 = i32x4.add(x10, v128.load(STATE, 160)); x11 = i32x4.add(x11, v128.load(STATE, 176))
  xor4(p + 32, x8, x9, x10, x11)
  x12 = i32x4.add(x12, v128.load(STATE, 192)); x13 = i32x4.add(x13, v128.load(STATE, 208)); x14 = i32x4.add(x14, v128.load(STATE, 224)); x15 = i32x4.add(x15, v128.load(STATE, 240))
  xor4(p + 48, x12, x13, x14, x15)
  // block counters stay below 2^32: wasm32 memory holds less than 2^32 · 64 bytes
  v128.store(STATE, i32x4.add(counters, i32x4.splat(4)), 128)
}

/**
 * core4(p) with Poly1305 over the 256 bytes at m (eight two-block steps, in the first eight double rounds).
 * Its rounds and the Poly1305 step (as in polyBlocks) are written out here on purpose: the step updates
 * five limbs that live in locals, which a function cannot return, and the point is that both run in one
 * loop body so the vector and scalar units overlap.
 */
function core4poly(p: usize, m: usize): void {
  let h0 = load<u64>(POLY, 0), h1 = load<u64>(POLY, 8), h2 = load<u64>(POLY, 16), h3 = load<u64>(POLY, 24), h4 = load<u64>(POLY, 32)
  const r0 = load<u64>(POLY, 40), r1 = load<u64>(POLY, 48), r2 = load<u64>(POLY, 56), r3 = load<u64>(POLY, 64), r4 = load<u64>(POLY, 72)
  const s1 = load<u64>(POLY, 80), s2 = load<u64>(POLY, 88), s3 = load<u64>(POLY, 96), s4 = load<u64>(POLY, 104)
  const q0 = load<u64>(POLY, 112), q1 = load<u64>(POLY, 120), q2 = load<u64>(POLY, 128), q3 = load<u64>(POLY, 136), q4 = load<u64>(POLY, 144)
  const t1 = load<u64>(POLY, 152), t2 = load<u64>(POLY, 160), t3 = load<u64>(POLY, 168), t4 = load<u64>(POLY, 176)
  let d0: u64, d1: u64, d2: u64, d3: u64, d4: u64, c: u64
  let x0 = v128.load(STATE, 0), x1 = v128.load(STATE, 16), x2 = v128.load(STATE, 32), x3 = v128.load(STATE, 48)
  let x4 = v128.load(STATE, 64), x5 = v128.load(STATE, 80), x6 = v128.load(STATE, 96), x7 = v128.load(STATE, 112)
  let x8 = v128.load(STATE, 128), x9 = v128.load(STATE, 144), x10 = v128.load(STATE, 160), x11 = v128.load(STATE, 176)
  let x12 = v128.load(STATE, 192), x13 = v128.load(STATE, 208), x14 = v128.load(STATE, 224), x15 = v128.load(STATE, 240)
  for (let i = 0; i < 10; i++) {
    if (i < 8) {
    const a0 = load<u64>(m, 0), a1 = load<u64>(m, 8), b0 = load<u64>(m, 16), b1 = load<u64>(m, 24)
    h0 += a0 & M26
    h1 += (a0 >> 26) & M26
    h2 += ((a0 >> 52) | (a1 << 12)) & M26
    h3 += (a1 >> 14) & M26
    h4 += (a1 >> 40) | HIBIT
    const m0 = b0 & M26
    const m1 = (b0 >> 26) & M26
    const m2 = ((b0 >> 52) | (b1 << 12)) & M26
    const m3 = (b1 >> 14) & M26
    const m4 = (b1 >> 40) | HIBIT
    d0 = h0 * q0 + h1 * t4 + h2 * t3 + h3 * t2 + h4 * t1 + m0 * r0 + m1 * s4 + m2 * s3 + m3 * s2 + m4 * s1
    d1 = h0 * q1 + h1 * q0 + h2 * t4 + h3 * t3 + h4 * t2 + m0 * r1 + m1 * r0 + m2 * s4 + m3 * s3 + m4 * s2
    d2 = h0 * q2 + h1 * q1 + h2 * q0 + h3 * t4 + h4 * t3 + m0 * r2 + m1 * r1 + m2 * r0 + m3 * s4 + m4 * s3
    d3 = h0 * q3 + h1 * q2 + h2 * q1 + h3 * q0 + h4 * t4 + m0 * r3 + m1 * r2 + m2 * r1 + m3 * r0 + m4 * s4
    d4 = h0 * q4 + h1 * q3 + h2 * q2 + h3 * q1 + h4 * q0 + m0 * r4 + m1 * r3 + m2 * r2 + m3 * r1 + m4 * r0
    c = d0 >> 26; h0 = d0 & M26; d1 += c
    c = d1 >> 26; h1 = d1 & M26; d2 += c
    c = d2 >> 26; h2 = d2 & M26; d3 += c
    c = d3 >> 26; h3 = d3 & M26; d4 += c
    c = d4 >> 26; h4 = d4 & M26; h0 += c * 5
    c = h0 >> 26; h0 &= M26; h1 += c
      m += 32
    }
    x4 = v128.xor(x4, rotv(i32x4.add(x0, x12), 7)); x9 = v128.xor(x9, rotv(i32x4.add(x5, x1), 7)); x14 = v128.xor(x14, rotv(i32x4.add(x10, x6), 7)); x3 = v128.xor(x3, rotv(i32x4.add(x15, x11), 7))
    x8 = v128.xor(x8, rotv(i32x4.add(x4, x0), 9)); x13 = v128.xor(x13, rotv(i32x4.add(x9, x5), 9)); x2 = v128.xor(x2, rotv(i32x4.add(x14, x10), 9)); x7 = v128.xor(x7, rotv(i32x4.add(x3, x15), 9))
    x12 = v128.xor(x12, rotv(i32x4.add(x8, x4), 13)); x1 = v128.xor(x1, rotv(i32x4.add(x13, x9), 13)); x6 = v128.xor(x6, rotv(i32x4.add(x2, x14), 13)); x11 = v128.xor(x11, rotv(i32x4.add(x7, x3), 13))
    x0 = v128.xor(x0, rotv(i32x4.add(x12, x8), 18)); x5 = v128.xor(x5, rotv(i32x4.add(x1, x13), 18)); x10 = v128.xor(x10, rotv(i32x4.add(x6, x2), 18)); x15 = v128.xor(x15, rotv(i32x4.add(x11, x7), 18))

    x1 = v128.xor(x1, rotv(i32x4.add(x0, x3), 7)); x6 = v128.xor(x6, rotv(i32x4.add(x5, x4), 7)); x11 = v128.xor(x11, rotv(i32x4.add(x10, x9), 7)); x12 = v128.xor(x12, rotv(i32x4.add(x15, x14), 7))
    x2 = v128.xor(x2, rotv(i32x4.add(x1, x0), 9)); x7 = v128.xor(x7, rotv(i32x4.add(x6, x5), 9)); x8 = v128.xor(x8, rotv(i32x4.add(x11, x10), 9)); x13 = v128.xor(x13, rotv(i32x4.add(x12, x15), 9))
    x3 = v128.xor(x3, rotv(i32x4.add(x2, x1), 13)); x4 = v128.xor(x4, rotv(i32x4.add(x7, x6), 13)); x9 = v128.xor(x9, rotv(i32x4.add(x8, x11), 13)); x14 = v128.xor(x14, rotv(i32x4.add(x13, x12), 13))
    x0 = v128.xor(x0, rotv(i32x4.add(x3, x2), 18)); x5 = v128.xor(x5, rotv(i32x4.add(x4, x7), 18)); x10 = v128.xor(x10, rotv(i32x4.add(x9, x8), 18)); x15 = v128.xor(x15, rotv(i32x4.add(x14, x13), 18))
  }
  x0 = i32x4.add(x0, v128.load(STATE, 0)); x1 = i32x4.add(x1, v128.load(STATE, 16)); x2 = i32x4.add(x2, v128.load(STATE, 32)); x3 = i32x4.add(x3, v128.load(STATE, 48))
  xor4(p, x0, x1, x2, x3)
  x4 = i32x4.add(x4, v128.load(STATE, 64)); x5 = i32x4.add(x5, v128.load(STATE, 80)); x6 = i32x4.add(x6, v128.load(STATE, 96)); x7 = i32x4.add(x7, v128.load(STATE, 112))
  xor4(p + 16, x4, x5, x6, x7)
  const counters = v128.load(STATE, 128)
  x8 = i32x4.add(x8, counters); x9 = i32x4.add(x9, v128.load(STATE, 144)); x10 = i32x4.add(x10, v128.load(STATE, 160)); x11 = i32x4.add(x11, v128.load(STATE, 176))
  xor4(p + 32, x8, x9, x10, x11)
  x12 = i32x4.add(x12, v128.load(STATE, 192)); x13 = i32x4.add(x13, v128.load(STATE, 208)); x14 = i32x4.add(x14, v128.load(STATE, 224)); x15 = i32x4.add(x15, v128.load(STATE, 240))
  xor4(p + 48, x12, x13, x14, x15)
  // block counters stay below 2^32: wasm32 memory holds less than 2^32 · 64 bytes
  v128.store(STATE, i32x4.add(counters, i32x4.splat(4)), 128)
  store<u64>(POLY, h0, 0); store<u64>(POLY, h1, 8); store<u64>(POLY, h2, 16); store<u64>(POLY, h3, 24); store<u64>(POLY, h4, 32)
}

/** XORs the keystream from block 0 onto p .. p+n (STATE set up, counters at 0). */
function streamXor(p: usize, n: usize): void {
  while (n >= 256) {
    core4(p)
    p += 256
    n -= 256
  }
  if (n > 0) {
    memory.fill(BLOCKS, 0, 256)
    core4(BLOCKS)
    for (let i: usize = 0; i < n; i++) store<u8>(p + i, load<u8>(p + i) ^ load<u8>(BLOCKS + i))
  }
}

const M26: u64 = 0x3ffffff
const HIBIT: u64 = 1 << 24
/** Poly1305 state: h0..h4 (0), r0..r4 (40), s1..s4 (80), r² as q0..q4 (112), 5·q1..q4 (152), the pad (184). */
const POLY: usize = memory.data(200, 16)

/** Starts Poly1305 under the 32-byte key at k (h = 0). */
function polyInit(k: usize): void {
  const k0 = load<u64>(k, 0), k1 = load<u64>(k, 8)
  const r0 = k0 & 0x3ffffff
  const r1 = (k0 >> 26) & 0x3ffff03
  const r2 = ((k0 >> 52) | (k1 << 12)) & 0x3ffc0ff
  const r3 = (k1 >> 14) & 0x3f03fff
  const r4 = (k1 >> 40) & 0x00fffff
  const s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5
  let d0 = r0 * r0 + r1 * s4 * 2 + r2 * s3 * 2
  let d1 = r0 * r1 * 2 + r2 * s4 * 2 + r3 * s3
  let d2 = r0 * r2 * 2 + r1 * r1 + r3 * s4 * 2
  let d3 = r0 * r3 * 2 + r1 * r2 * 2 + r4 * s4
  let d4 = r0 * r4 * 2 + r1 * r3 * 2 + r2 * r2
  let c = d0 >> 26; d0 &= M26; d1 += c
  c = d1 >> 26; d1 &= M26; d2 += c
  c = d2 >> 26; d2 &= M26; d3 += c
  c = d3 >> 26; d3 &= M26; d4 += c
  c = d4 >> 26; d4 &= M26; d0 += c * 5
  c = d0 >> 26; d0 &= M26; d1 += c
  memory.fill(POLY, 0, 40)
  store<u64>(POLY, r0, 40); store<u64>(POLY, r1, 48); store<u64>(POLY, r2, 56); store<u64>(POLY, r3, 64); store<u64>(POLY, r4, 72)
  store<u64>(POLY, s1, 80); store<u64>(POLY, s2, 88); store<u64>(POLY, s3, 96); store<u64>(POLY, s4, 104)
  store<u64>(POLY, d0, 112); store<u64>(POLY, d1, 120); store<u64>(POLY, d2, 128); store<u64>(POLY, d3, 136); store<u64>(POLY, d4, 144)
  store<u64>(POLY, d1 * 5, 152); store<u64>(POLY, d2 * 5, 160); store<u64>(POLY, d3 * 5, 168); store<u64>(POLY, d4 * 5, 176)
  store<u64>(POLY, load<u64>(k, 16), 184); store<u64>(POLY, load<u64>(k, 24), 192)
}

/** Poly1305 over m .. m+n (n a multiple of 32 but for the message's last call). */
function polyBlocks(m: usize, n: usize): void {
  let h0 = load<u64>(POLY, 0), h1 = load<u64>(POLY, 8), h2 = load<u64>(POLY, 16), h3 = load<u64>(POLY, 24), h4 = load<u64>(POLY, 32)
  const r0 = load<u64>(POLY, 40), r1 = load<u64>(POLY, 48), r2 = load<u64>(POLY, 56), r3 = load<u64>(POLY, 64), r4 = load<u64>(POLY, 72)
  const s1 = load<u64>(POLY, 80), s2 = load<u64>(POLY, 88), s3 = load<u64>(POLY, 96), s4 = load<u64>(POLY, 104)
  const q0 = load<u64>(POLY, 112), q1 = load<u64>(POLY, 120), q2 = load<u64>(POLY, 128), q3 = load<u64>(POLY, 136), q4 = load<u64>(POLY, 144)
  const t1 = load<u64>(POLY, 152), t2 = load<u64>(POLY, 160), t3 = load<u64>(POLY, 168), t4 = load<u64>(POLY, 176)
  let d0: u64, d1: u64, d2: u64, d3: u64, d4: u64, c: u64
  while (n >= 32) {
    {
    const a0 = load<u64>(m, 0), a1 = load<u64>(m, 8), b0 = load<u64>(m, 16), b1 = load<u64>(m, 24)
    h0 += a0 & M26
    h1 += (a0 >> 26) & M26
    h2 += ((a0 >> 52) | (a1 << 12)) & M26
    h3 += (a1 >> 14) & M26
    h4 += (a1 >> 40) | HIBIT
    const m0 = b0 & M26
    const m1 = (b0 >> 26) & M26
    const m2 = ((b0 >> 52) | (b1 << 12)) & M26
    const m3 = (b1 >> 14) & M26
    const m4 = (b1 >> 40) | HIBIT
    d0 = h0 * q0 + h1 * t4 + h2 * t3 + h3 * t2 + h4 * t1 + m0 * r0 + m1 * s4 + m2 * s3 + m3 * s2 + m4 * s1
    d1 = h0 * q1 + h1 * q0 + h2 * t4 + h3 * t3 + h4 * t2 + m0 * r1 + m1 * r0 + m2 * s4 + m3 * s3 + m4 * s2
    d2 = h0 * q2 + h1 * q1 + h2 * q0 + h3 * t4 + h4 * t3 + m0 * r2 + m1 * r1 + m2 * r0 + m3 * s4 + m4 * s3
    d3 = h0 * q3 + h1 * q2 + h2 * q1 + h3 * q0 + h4 * t4 + m0 * r3 + m1 * r2 + m2 * r1 + m3 * r0 + m4 * s4
    d4 = h0 * q4 + h1 * q3 + h2 * q2 + h3 * q1 + h4 * q0 + m0 * r4 + m1 * r3 + m2 * r2 + m3 * r1 + m4 * r0
    c = d0 >> 26; h0 = d0 & M26; d1 += c
    c = d1 >> 26; h1 = d1 & M26; d2 += c
    c = d2 >> 26; h2 = d2 & M26; d3 += c
    c = d3 >> 26; h3 = d3 & M26; d4 += c
    c = d4 >> 26; h4 = d4 & M26; h0 += c * 5
    c = h0 >> 26; h0 &= M26; h1 += c
    }
    m += 32
    n -= 32
  }
  while (n > 0) {
    let hibit = HIBIT
    let p = m
    if (n < 16) {
      memory.fill(PAD, 0, 16)
      memory.copy(PAD, m, n)
      store<u8>(PAD + n, 1)
      hibit = 0
      p = PAD
    }
    const a0 = load<u64>(p, 0), a1 = load<u64>(p, 8)
    h0 += a0 & M26
    h1 += (a0 >> 26) & M26
    h2 += ((a0 >> 52) | (a1 << 12)) & M26
    h3 += (a1 >> 14) & M26
    h4 += (a1 >> 40) | hibit
    d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1
    d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2
    d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3
    d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4
    d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0
    c = d0 >> 26; h0 = d0 & M26; d1 += c
    c = d1 >> 26; h1 = d1 & M26; d2 += c
    c = d2 >> 26; h2 = d2 & M26; d3 += c
    c = d3 >> 26; h3 = d3 & M26; d4 += c
    c = d4 >> 26; h4 = d4 & M26; h0 += c * 5
    c = h0 >> 26; h0 &= M26; h1 += c
    if (n < 16) break
    m += 16
    n -= 16
  }
  store<u64>(POLY, h0, 0); store<u64>(POLY, h1, 8); store<u64>(POLY, h2, 16); store<u64>(POLY, h3, 24); store<u64>(POLY, h4, 32)
}

/** The tag of the Poly1305 so far, into TAG. */
function polyFinish(): void {
  let h0 = load<u64>(POLY, 0), h1 = load<u64>(POLY, 8), h2 = load<u64>(POLY, 16), h3 = load<u64>(POLY, 24), h4 = load<u64>(POLY, 32)
  // full carry, then h - p if h ≥ p = 2^130 - 5
  let c = h1 >> 26; h1 &= M26; h2 += c
  c = h2 >> 26; h2 &= M26; h3 += c
  c = h3 >> 26; h3 &= M26; h4 += c
  c = h4 >> 26; h4 &= M26; h0 += c * 5
  c = h0 >> 26; h0 &= M26; h1 += c
  let g0 = h0 + 5; c = g0 >> 26; g0 &= M26
  let g1 = h1 + c; c = g1 >> 26; g1 &= M26
  let g2 = h2 + c; c = g2 >> 26; g2 &= M26
  let g3 = h3 + c; c = g3 >> 26; g3 &= M26
  const g4 = h4 + c - (1 << 26)
  const useG: u64 = (g4 >> 63) - 1 // all ones when g4 did not go below zero
  h0 = (h0 & ~useG) | (g0 & useG)
  h1 = (h1 & ~useG) | (g1 & useG)
  h2 = (h2 & ~useG) | (g2 & useG)
  h3 = (h3 & ~useG) | (g3 & useG)
  h4 = (h4 & ~useG) | (g4 & useG & M26)
  const lo = h0 | (h1 << 26) | (h2 << 52)
  const hi = (h2 >> 12) | (h3 << 14) | (h4 << 40)
  const pad0 = load<u64>(POLY, 184), pad1 = load<u64>(POLY, 192)
  const f0 = lo + pad0
  const carry: u64 = f0 < lo ? 1 : 0
  store<u64>(TAG, f0, 0)
  store<u64>(TAG, hi + pad1 + carry, 8)
}

function wipe(): void {
  memory.fill(POLY, 0, 200)
  memory.fill(KEY, 0, 32)
  memory.fill(SUBKEY, 0, 32)
  memory.fill(STATE, 0, 256)
  memory.fill(BLOCKS, 0, 256)
  memory.fill(PAD, 0, 16)
}

/** Seals the n plaintext bytes at P+32: MAC at P+16, ciphertext at P+32. */
export function seal(n: usize): void {
  const p = dataOffset()
  const total = n + 32
  const full = total & ~(<usize>255)
  memory.fill(p, 0, 32)
  setup()
  let polled = p + 32
  if (full == 0) {
    streamXor(p, total)
    polyInit(p)
  } else {
    // batch 0 alone (its first 32 bytes are the Poly1305 key), then each batch with the MAC of the one before it
    core4(p)
    polyInit(p)
    polyBlocks(polled, 224)
    polled = p + 256
    for (let off: usize = 256; off < full; off += 256) {
      if (polled + 256 <= p + off) {
        core4poly(p + off, polled)
        polled += 256
      } else core4(p + off)
    }
    streamXor(p + full, total - full)
  }
  polyBlocks(polled, p + total - polled)
  polyFinish()
  memory.fill(p, 0, 16)
  memory.copy(p + 16, TAG, 16)
  wipe()
}

/** Opens the n-byte box at P+16 (n ≥ 16): 0 with the plaintext at P+32, or -1 (forged or wrong key; the region wiped). */
export function open(n: usize): i32 {
  if (n < 16) return -1
  const p = dataOffset()
  const total = n + 16
  const full = total & ~(<usize>255)
  setup()
  memory.fill(BLOCKS, 0, 256)
  core4(BLOCKS)
  polyInit(BLOCKS)
  if (full == 0) {
    polyBlocks(p + 32, n - 16)
    for (let i: usize = 32; i < total; i++) store<u8>(p + i, load<u8>(p + i) ^ load<u8>(BLOCKS + i))
  } else {
    // each batch's MAC taken while its keystream is made, before the XOR
    polyBlocks(p + 32, 224)
    for (let i: usize = 32; i < 256; i += 16) v128.store(p + i, v128.xor(v128.load(p + i), v128.load(BLOCKS + i)))
    for (let off: usize = 256; off < full; off += 256) core4poly(p + off, p + off)
    polyBlocks(p + full, total - full)
    streamXor(p + full, total - full)
  }
  polyFinish()
  memory.fill(p, 0, 16)
  const diff = v128.xor(v128.load(TAG), v128.load(p + 16))
  if (v128.any_true(diff)) {
    memory.fill(p + 16, 0, n)
    wipe()
    return -1
  }
  memory.fill(p + 16, 0, 16)
  wipe()
  return 0
}
