// Access to the golden vectors made by the real Peergos (../shared/peergos-vectors, never copied
// into this repository). In CI they are present; in a fresh clone without them, the tests that
// need them are skipped with a clear message.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe } from 'vitest'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const VECTORS_DIR = process.env.PEERGOS_VECTORS ?? join(repoRoot, '..', 'shared', 'peergos-vectors')
export const haveVectors = existsSync(join(VECTORS_DIR, 'crypto.json'))

if (!haveVectors) {
  if (process.env.CI) throw new Error(`Golden vectors not found at ${VECTORS_DIR}; CI must have ../shared beside the clone`)
  console.warn(`[peergos-ts] golden vectors not found at ${VECTORS_DIR}: vector tests are SKIPPED (set PEERGOS_VECTORS to their folder)`)
}

/** `describe` that runs only when the Peergos vectors are present (and is reported as skipped otherwise). */
export const describeVectors = haveVectors ? describe : describe.skip

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadVector(name: string): any {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8'))
}

export function vectorPath(...parts: string[]): string {
  return join(VECTORS_DIR, ...parts)
}

export function hex(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new Error('odd hex length')
  return new Uint8Array(Buffer.from(s, 'hex'))
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
}
