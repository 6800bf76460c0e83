// scrypt's memory-hard part (RFC 7914 §5-§6: scryptROMix over scryptBlockMix with Salsa20/8) in
// AssemblyScript, compiled to WebAssembly with 128-bit SIMD by scripts/build-wasm.mjs. The PBKDF2
// steps around it stay in JavaScript. Percival's SSE layout: each 64-byte Salsa20 block is kept with
// its words on the diagonals (row k holds words 4k, 4k+5, 4k+10, 4k+15, mod 16), so a Salsa20 round
// is four add/rotate/xor steps on whole rows plus three lane rotations, with no transpose anywhere in
// BlockMix; the layout is converted once as a lane enters ROMix and once as it leaves. Integerify
// reads word 0 of the last block, which this layout leaves in place.
// No allocator: the caller grows the memory to memoryOffset() + 128·r·(N + 3) and writes one lane's
// 128·r bytes (little-endian words, as PBKDF2 gives them) at laneOffset(r, N); romix(r, N) replaces
// them there.
//
// Layout from P = memoryOffset():  V (128r·N)  B (128r, the lane)  X (128r)  Y (128r)

/** Bytes in one Salsa20 block: four v128 rows. */
const BLOCK: usize = 64

/** Where V starts: page-aligned, so no block of V (1 KiB for r = 8) straddles two pages. */
export function memoryOffset(): usize {
  return (__heap_base + 4095) & ~(<usize>4095)
}

/** Where the caller writes a lane for romix(r, n), and reads it back: after V. */
export function laneOffset(r: u32, n: u32): usize {
  return memoryOffset() + <usize>128 * <usize>r * <usize>n
}

// @ts-ignore: decorator
@inline function rotv(x: v128, n: i32): v128 {
  return v128.xor(i32x4.shl(x, n), i32x4.shr_u(x, 32 - n))
}

/**
 * BlockMix-Salsa20/8 of `a` into `out`, both in the diagonal layout: x = last block; for each block
 * i, x = Salsa20/8(x ^ block i), written to out block i/2 (even i) or r + i/2 (odd i). `out` must
 * not overlap `a`.
 */
function blockMix(a: usize, out: usize, r: usize): void {
  const last = a + (2 * r - 1) * BLOCK
  let x0 = v128.load(last, 0), x1 = v128.load(last, 16), x2 = v128.load(last, 32), x3 = v128.load(last, 48)
  for (let i: usize = 0; i < 2 * r; i++) {
    const p = a + i * BLOCK
    x0 = v128.xor(x0, v128.load(p, 0)); x1 = v128.xor(x1, v128.load(p, 16))
    x2 = v128.xor(x2, v128.load(p, 32)); x3 = v128.xor(x3, v128.load(p, 48))
    let z0 = x0, z1 = x1, z2 = x2, z3 = x3
    for (let round = 0; round < 4; round++) {
      // columns: rows 1, 2, 3 lined up under row 0 by the layout itself
      z1 = v128.xor(z1, rotv(i32x4.add(z0, z3), 7))
      z2 = v128.xor(z2, rotv(i32x4.add(z1, z0), 9))
      z3 = v128.xor(z3, rotv(i32x4.add(z2, z1), 13))
      z0 = v128.xor(z0, rotv(i32x4.add(z3, z2), 18))
      z1 = i32x4.shuffle(z1, z1, 3, 0, 1, 2)
      z2 = i32x4.shuffle(z2, z2, 2, 3, 0, 1)
      z3 = i32x4.shuffle(z3, z3, 1, 2, 3, 0)
      // rows, then the lanes turned back
      z3 = v128.xor(z3, rotv(i32x4.add(z0, z1), 7))
      z2 = v128.xor(z2, rotv(i32x4.add(z3, z0), 9))
      z1 = v128.xor(z1, rotv(i32x4.add(z2, z3), 13))
      z0 = v128.xor(z0, rotv(i32x4.add(z1, z2), 18))
      z1 = i32x4.shuffle(z1, z1, 1, 2, 3, 0)
      z2 = i32x4.shuffle(z2, z2, 2, 3, 0, 1)
      z3 = i32x4.shuffle(z3, z3, 3, 0, 1, 2)
    }
    x0 = i32x4.add(x0, z0); x1 = i32x4.add(x1, z1); x2 = i32x4.add(x2, z2); x3 = i32x4.add(x3, z3)
    const o = out + ((i & 1) * r + (i >> 1)) * BLOCK
    v128.store(o, x0, 0); v128.store(o, x1, 16); v128.store(o, x2, 32); v128.store(o, x3, 48)
  }
}

/**
 * x ^= v over `size` bytes. A pass of its own, ahead of BlockMix: its loads depend on nothing, so
 * the CPU has every cache line of the random V[j] in flight at once (inside BlockMix, each would
 * wait behind the Salsa20 chain and miss alone).
 */
function xorInto(x: usize, v: usize, size: usize): void {
  for (let i: usize = 0; i < size; i += 64) {
    v128.store(x + i, v128.xor(v128.load(x + i, 0), v128.load(v + i, 0)), 0)
    v128.store(x + i, v128.xor(v128.load(x + i, 16), v128.load(v + i, 16)), 16)
    v128.store(x + i, v128.xor(v128.load(x + i, 32), v128.load(v + i, 32)), 32)
    v128.store(x + i, v128.xor(v128.load(x + i, 48), v128.load(v + i, 48)), 48)
  }
}

/** Copies 2r blocks from `src` to `dst`, into the diagonal word order or back out of it. */
function convert(src: usize, dst: usize, r: usize, toDiagonal: bool): void {
  // diagonal word k holds standard word 5k mod 16; its inverse is 13k mod 16 (5·13 = 65 ≡ 1)
  for (let blk: usize = 0; blk < 2 * r; blk++) {
    const s = src + blk * BLOCK, d = dst + blk * BLOCK
    for (let k: usize = 0; k < 16; k++) {
      if (toDiagonal) store<u32>(d + 4 * k, load<u32>(s + 4 * ((5 * k) & 15)))
      else store<u32>(d + 4 * ((5 * k) & 15), load<u32>(s + 4 * k))
    }
  }
}

/** scryptROMix(B, N) of the lane at laneOffset(r, n), in place; n is a power of two ≥ 2. */
export function romix(r: u32, n: u32): void {
  const rr = <usize>r
  const size: usize = 128 * rr
  const V = memoryOffset()
  const B = laneOffset(r, n)
  const X = B + size
  const Y = X + size
  convert(B, V, rr, true)
  for (let i: usize = 0; i + 1 < <usize>n; i++) blockMix(V + i * size, V + (i + 1) * size, rr)
  blockMix(V + (<usize>n - 1) * size, X, rr)
  const lastWord: usize = (2 * rr - 1) * BLOCK
  const mask = n - 1
  for (let i: u32 = 0; i < n; i += 2) {
    xorInto(X, V + <usize>(load<u32>(X + lastWord) & mask) * size, size)
    blockMix(X, Y, rr)
    xorInto(Y, V + <usize>(load<u32>(Y + lastWord) & mask) * size, size)
    blockMix(Y, X, rr)
  }
  convert(X, B, rr, false)
}
