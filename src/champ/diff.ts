// Structural diff of two CHAMP trees (reference §3.1, ChampUtil.applyToDiff): walks both tries in
// step, skips equal subtrees by CID, and compares a bucket on one side with a subtree on the other.
import type { CID } from '../codec/cid.ts'
import { equalBytes } from '../codec/cid.ts'
import { isBucket, mask, type ChampEntry, type ChampNode } from './node.ts'

/** One changed key: its value before and after (undefined = absent). */
export interface ChampChange {
  readonly key: Uint8Array
  readonly before: CID | undefined
  readonly after: CID | undefined
}

export interface DiffContext {
  load(cid: CID, depth: number): Promise<ChampNode>
  hash(key: Uint8Array): Uint8Array
  bitWidth: number
}

export async function* diffTrees(ctx: DiffContext, before: CID | undefined, after: CID | undefined): AsyncGenerator<ChampChange> {
  yield* diffLevel(ctx, before, after, 0, [], [])
}

/** Entries of one side at a position: a bucket of its node, or the higher-level bucket entries that fall there. */
function group(ctx: DiffContext, entries: readonly ChampEntry[], depth: number): (ChampEntry[] | undefined)[] {
  const out: (ChampEntry[] | undefined)[] = []
  for (const e of entries) (out[mask(ctx.hash(e.key), depth, ctx.bitWidth)] ??= []).push(e)
  return out
}

async function* diffLevel(
  ctx: DiffContext, left: CID | undefined, right: CID | undefined, depth: number,
  leftHigher: readonly ChampEntry[], rightHigher: readonly ChampEntry[],
): AsyncGenerator<ChampChange> {
  if (left !== undefined && right !== undefined && left.equals(right)) return
  const l = left === undefined ? undefined : await ctx.load(left, depth)
  const r = right === undefined ? undefined : await ctx.load(right, depth)
  const lGroups = group(ctx, leftHigher, depth)
  const rGroups = group(ctx, rightHigher, depth)
  const width = 1 << ctx.bitWidth
  for (let pos = 0; pos < width; pos++) {
    const ls = l?.slots[pos]
    const rs = r?.slots[pos]
    const lEntries = ls !== undefined && isBucket(ls) ? ls : (lGroups[pos] ?? [])
    const rEntries = rs !== undefined && isBucket(rs) ? rs : (rGroups[pos] ?? [])
    const lLink = ls !== undefined && !isBucket(ls) ? ls : undefined
    const rLink = rs !== undefined && !isBucket(rs) ? rs : undefined
    if (lLink !== undefined || rLink !== undefined) {
      yield* diffLevel(ctx, lLink, rLink, depth + 1, lLink === undefined ? lEntries : [], rLink === undefined ? rEntries : [])
    } else {
      yield* diffBuckets(lEntries, rEntries)
    }
  }
}

function* diffBuckets(left: readonly ChampEntry[], right: readonly ChampEntry[]): Generator<ChampChange> {
  for (const a of left) {
    const b = right.find((x) => equalBytes(x.key, a.key))
    const before = a.value ?? undefined
    const after = b?.value ?? undefined
    if (before === undefined ? after !== undefined : after === undefined || !before.equals(after)) yield { key: a.key.slice(), before, after }
  }
  for (const b of right) {
    if (b.value === null || left.some((x) => equalBytes(x.key, b.key))) continue
    yield { key: b.key.slice(), before: undefined, after: b.value }
  }
}
