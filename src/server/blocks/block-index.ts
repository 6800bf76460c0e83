// In-memory index KEY → owner directories, rebuilt at open by listing the store, so get/has/size
// find a block by CID alone with one map lookup instead of probing every user's directory.
// About 110 bytes of heap a block (~150 when loaded by a scan): 1M blocks ≈ 110-150 MB.

export class BlockIndex {
  private readonly ownerNames: string[] = []
  private readonly ownerIds = new Map<string, number>()
  /** KEY → owner id, or several ids for a block filed under more than one owner (rare). */
  private readonly map = new Map<string, number | number[]>()

  private idOf(ownerDir: string): number {
    let id = this.ownerIds.get(ownerDir)
    if (id === undefined) {
      id = this.ownerNames.length
      this.ownerNames.push(ownerDir)
      this.ownerIds.set(ownerDir, id)
    }
    return id
  }

  add(key: string, ownerDir: string): void {
    const id = this.idOf(ownerDir)
    const cur = this.map.get(key)
    if (cur === undefined) this.map.set(key, id)
    else if (typeof cur === 'number') {
      if (cur !== id) this.map.set(key, [cur, id])
    } else if (!cur.includes(id)) cur.push(id)
  }

  remove(key: string, ownerDir: string): void {
    const id = this.ownerIds.get(ownerDir)
    const cur = this.map.get(key)
    if (id === undefined || cur === undefined) return
    if (typeof cur === 'number') {
      if (cur === id) this.map.delete(key)
      return
    }
    const rest = cur.filter((x) => x !== id)
    if (rest.length === 0) this.map.delete(key)
    else this.map.set(key, rest.length === 1 ? rest[0] : rest)
  }

  /** The owner directories holding KEY ([] when absent). */
  ownersOf(key: string): string[] {
    const cur = this.map.get(key)
    if (cur === undefined) return []
    return typeof cur === 'number' ? [this.ownerNames[cur]] : cur.map((i) => this.ownerNames[i])
  }

  hasOwner(key: string, ownerDir: string): boolean {
    const id = this.ownerIds.get(ownerDir)
    const cur = this.map.get(key)
    if (id === undefined || cur === undefined) return false
    return typeof cur === 'number' ? cur === id : cur.includes(id)
  }

  has(key: string): boolean {
    return this.map.has(key)
  }

  /** Number of distinct blocks. */
  get size(): number {
    return this.map.size
  }

  keys(): IterableIterator<string> {
    return this.map.keys()
  }

  /** [KEY, ownerDir] for every copy, optionally of one owner. */
  *copies(ownerDir?: string): IterableIterator<[string, string]> {
    const only = ownerDir === undefined ? undefined : this.ownerIds.get(ownerDir)
    if (ownerDir !== undefined && only === undefined) return
    for (const [key, cur] of this.map) {
      if (typeof cur === 'number') {
        if (only === undefined || cur === only) yield [key, this.ownerNames[cur]]
      } else {
        for (const id of cur) if (only === undefined || id === only) yield [key, this.ownerNames[id]]
      }
    }
  }
}
