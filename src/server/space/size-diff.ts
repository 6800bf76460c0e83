// The space a writer's tree takes and how a pointer change alters it (reference §7.5; Peergos getRecursiveBlockSize,
// getChangeInContainedSize): block sizes summed over the merkle links from a WriterData, the change found by diffing
// old and new blocks top down, so only changed paths are visited; blocks named by CID key, cached answers synchronous.
import { cidKey } from '../../champ/block-store.ts'
import type { CID } from '../../codec/cid.ts'
import { GenCache } from './gen-cache.ts'
import type { BlockMeta, BlockSizes } from './block-sizes.ts'

/** Sizes saturate here (1 PiB): a DAG that reuses blocks cannot overflow the count. */
export const MAX_COUNTED_SIZE = 2 ** 50

type Maybe<T> = T | Promise<T>

const ABSENT: BlockMeta = { size: 0, links: [] }

interface Sized {
  readonly size: number
  /** False when a block of the subtree is missing (counted as 0); such totals are not remembered. */
  readonly complete: boolean
}

/** The state of one computation: each subtree and each pair of subtrees is computed once. */
interface Walk {
  readonly totals: Map<string, Maybe<Sized>>
  readonly pairs: Map<string, Maybe<number>>
}

const add = (a: number, b: number): number => Math.max(-MAX_COUNTED_SIZE, Math.min(MAX_COUNTED_SIZE, a + b))

function signed(s: Maybe<Sized>, sign: number): Maybe<number> {
  return s instanceof Promise ? s.then((v) => sign * v.size) : sign * s.size
}

function sum(parts: readonly Maybe<number>[], start: number): Maybe<number> {
  if (parts.every((p) => typeof p === 'number')) return (parts as number[]).reduce(add, start)
  return Promise.all(parts).then((ps) => ps.reduce(add, start))
}

/**
 * The links only in `a` and those only in `b` (multiset differences, order kept). A change usually
 * touches one link of a node, so the common prefix and suffix are skipped before counting the rest.
 */
function unmatched(a: readonly string[], b: readonly string[]): [string[], string[]] {
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const restA = a.slice(start, endA)
  const restB = b.slice(start, endB)
  if (restA.length === 0 || restB.length === 0) return [restA, restB]
  const counts = new Map<string, number>()
  for (const k of restB) counts.set(k, (counts.get(k) ?? 0) + 1)
  const onlyA: string[] = []
  for (const k of restA) {
    const n = counts.get(k) ?? 0
    if (n > 0) counts.set(k, n - 1)
    else onlyA.push(k)
  }
  const onlyB: string[] = [] // what is left in counts: the links of b that no link of a matched
  for (const k of restB) {
    const n = counts.get(k) ?? 0
    if (n > 0) {
      counts.set(k, n - 1)
      onlyB.push(k)
    }
  }
  return [onlyA, onlyB]
}

export class SizeDiff {
  /** Total size of complete subtrees by root: immutable facts, so kept across computations. */
  private readonly totals: GenCache<number>

  constructor(private readonly sizes: BlockSizes, capacity = 100_000) {
    this.totals = new GenCache(capacity)
  }

  /**
   * The tree size under `root`: its size plus, for every link, the tree size under the linked block
   * (a block linked twice counts twice, as in Peergos; missing blocks count 0).
   */
  async treeSize(root: CID): Promise<number> {
    return (await this.sized(cidKey(root), newWalk())).size
  }

  /** treeSize(updated) - treeSize(original), visiting only what differs (original undefined: a new tree). */
  async change(original: CID | undefined, updated: CID | undefined): Promise<number> {
    const walk = newWalk()
    if (original === undefined) return updated === undefined ? 0 : (await this.sized(cidKey(updated), walk)).size
    if (updated === undefined) return -(await this.sized(cidKey(original), walk)).size
    return this.diff(cidKey(original), cidKey(updated), walk)
  }

  private sized(k: string, walk: Walk): Maybe<Sized> {
    const known = this.totals.get(k)
    if (known !== undefined) return { size: known, complete: true }
    let s = walk.totals.get(k)
    if (s === undefined) {
      s = this.compute(k, walk)
      walk.totals.set(k, s)
      if (s instanceof Promise) void s.then((v) => walk.totals.set(k, v), () => undefined)
    }
    return s
  }

  private compute(k: string, walk: Walk): Maybe<Sized> {
    const meta = this.sizes.peek(k)
    if (meta !== undefined) return this.computeFrom(k, meta, walk)
    return this.sizes.get(k).then((m) => (m === undefined ? { size: 0, complete: false } : this.computeFrom(k, m, walk)))
  }

  private computeFrom(k: string, meta: BlockMeta, walk: Walk): Maybe<Sized> {
    const children = meta.links.map((l) => this.sized(l, walk))
    const finish = (cs: readonly Sized[]): Sized => {
      let size = meta.size
      let complete = true
      for (const c of cs) {
        size = add(size, c.size)
        complete &&= c.complete
      }
      if (complete) this.totals.set(k, size)
      return { size, complete }
    }
    if (children.every((c) => !(c instanceof Promise))) return finish(children as Sized[])
    return Promise.all(children).then(finish)
  }

  private diff(a: string, b: string, walk: Walk): Maybe<number> {
    if (a === b) return 0
    const ta = this.totals.get(a)
    const tb = this.totals.get(b)
    if (ta !== undefined && tb !== undefined) return add(tb, -ta)
    const pk = `${a}|${b}`
    let d = walk.pairs.get(pk)
    if (d === undefined) {
      const before = this.sizes.peek(a)
      const after = this.sizes.peek(b)
      d = before !== undefined && after !== undefined
        ? this.diffBlocks(before, after, walk)
        : Promise.all([before ?? this.sizes.get(a), after ?? this.sizes.get(b)]).then(([x, y]) => this.diffBlocks(x ?? ABSENT, y ?? ABSENT, walk))
      walk.pairs.set(pk, d)
    }
    return d
  }

  /**
   * getChangeInContainedSize: the blocks' own size difference, plus the diffs of the links only in the
   * old block paired in order with those only in the new one, plus the whole trees of the links left over.
   */
  private diffBlocks(before: BlockMeta, after: BlockMeta, walk: Walk): Maybe<number> {
    const [onlyBefore, onlyAfter] = unmatched(before.links, after.links)
    const pairs = Math.min(onlyBefore.length, onlyAfter.length)
    const parts: Maybe<number>[] = []
    for (let i = 0; i < pairs; i++) parts.push(this.diff(onlyBefore[i], onlyAfter[i], walk))
    for (const l of onlyAfter.slice(pairs)) parts.push(signed(this.sized(l, walk), 1))
    for (const l of onlyBefore.slice(pairs)) parts.push(signed(this.sized(l, walk), -1))
    return sum(parts, after.size - before.size)
  }
}

function newWalk(): Walk {
  return { totals: new Map(), pairs: new Map() }
}
