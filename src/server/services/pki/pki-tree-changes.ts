// What changed in the PKI tree, and whether it may (reference §4.3; Peergos IpfsCoreNode.applyToDiff /
// updateMapping with UserPublicKeyLink.merge): the CHAMP diff from the tree a mirror holds to the
// PKI node's new one (only changed paths are fetched), or, when the old tree's blocks are gone, a
// walk of the whole new tree against the saved chains. A known user may only change by a valid merge
// whose result is the new chain and may never disappear; a new name needs a valid username and chain
// and identity keys of its own (else it is skipped). Anything else refuses the whole update.
import type { CID } from '../../../codec/cid.ts'
import { cidToString, equalBytes } from '../../../codec/cid.ts'
import { Champ, type BlockStore } from '../../../champ/index.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { PeergosError } from '../../../errors.ts'
import {
  decodeChain, encodeChain, mergeChains, validChain, type SigningKeyResolver, type UserPublicKeyLink,
} from '../../../model/user-public-key-link.ts'
import type { ServerBlockStore } from '../../blocks/server-block-store.ts'
import type { Logger } from '../../log.ts'
import { isValidUsername } from '../usernames.ts'
import type { MirrorState } from './mirror-state.ts'

/** The PKI node's state could not be read, or was refused. */
export class PkiMirrorError extends PeergosError {}

/** The PKI node's state breaks a rule (a user dropped, a chain rewritten, a pointer rolled back): nothing of it is taken. */
export class PkiChangeRefusedError extends PkiMirrorError {}

export interface PkiTreeChangesOptions {
  readonly crypto: CryptoProvider
  readonly resolve: SigningKeyResolver
  /** Where the old tree's blocks would be. */
  readonly blocks: Pick<ServerBlockStore, 'has'>
  /** Names in the PKI tree that are not served (invalid name or chain); kept up to date here. */
  readonly skipped: Set<string>
  readonly log?: Logger
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export class PkiTreeChanges {
  constructor(private readonly o: PkiTreeChangesOptions) {}

  /**
   * The chains to add or replace: the CHAMP diff from the tree held to the new one (only changed paths
   * are fetched), or, when the old tree's blocks are gone, a walk of the whole new tree.
   */
  async changedChains(prev: MirrorState | undefined, newTree: CID | undefined, fetch: (cid: CID) => Promise<Uint8Array>): Promise<Map<string, UserPublicKeyLink[]>> {
    const updates = new Map<string, UserPublicKeyLink[]>()
    if (prev?.tree !== undefined && newTree !== undefined && prev.tree.equals(newTree)) return updates
    const store: BlockStore = { trusted: true, get: (cid) => fetch(cid), put: () => Promise.reject(new PkiMirrorError('The PKI mirror is read-only')) }
    const champ = new Champ({ store, crypto: this.o.crypto, keyHash: 'blake2b', bitWidth: 3, maxCollisions: 4 })
    const known = prev?.chains ?? new Map<string, readonly UserPublicKeyLink[]>()
    let diffed = false
    if (prev?.tree !== undefined && (await this.o.blocks.has(prev.tree))) {
      try {
        for await (const change of champ.diff(prev.tree, newTree)) await this.examine(known, change.key, change.after, fetch, updates)
        diffed = true
      } catch (e) {
        if (e instanceof PkiChangeRefusedError) throw e
        this.o.log?.warn({ err: { name: (e as Error).name, message: (e as Error).message } }, 'PKI mirror: diff failed, walking the whole tree')
        updates.clear()
      }
    }
    if (!diffed) {
      const present = new Set<string>()
      if (newTree !== undefined) {
        for await (const e of champ.entries(newTree)) {
          const name = this.examineName(e.key)
          if (name !== undefined) present.add(name)
          await this.examine(known, e.key, e.value, fetch, updates)
        }
      }
      for (const name of known.keys()) if (!present.has(name)) throw new PkiChangeRefusedError(`The PKI dropped the user ${name}`)
    }
    this.checkKeysUnique(known, updates)
    return updates
  }

  private examineName(key: Uint8Array): string | undefined {
    try {
      return utf8.decode(key)
    } catch {
      return undefined
    }
  }

  /** One changed mapping: refuses anything not append-only for a known user; skips invalid new entries. */
  private async examine(known: ReadonlyMap<string, readonly UserPublicKeyLink[]>, key: Uint8Array, after: CID | undefined,
    fetch: (cid: CID) => Promise<Uint8Array>, updates: Map<string, UserPublicKeyLink[]>): Promise<void> {
    const name = this.examineName(key)
    if (name === undefined) {
      this.o.skipped.add(`0x${Buffer.from(key).toString('hex')}`)
      return
    }
    const existing = known.get(name)
    if (after === undefined) {
      if (existing !== undefined) throw new PkiChangeRefusedError(`The PKI dropped the user ${name}`)
      return
    }
    let chain: UserPublicKeyLink[]
    try {
      chain = decodeChain(await fetch(after))
    } catch (e) {
      if (!(e instanceof PeergosError) || e instanceof PkiMirrorError) throw e
      if (existing !== undefined) throw new PkiChangeRefusedError(`The PKI's claim chain for ${name} is unreadable`, { cause: e })
      this.o.skipped.add(name)
      return
    }
    if (existing === undefined) {
      if (!isValidUsername(name) || !(await this.validNewChain(chain, name))) {
        this.o.skipped.add(name)
        return
      }
      this.o.skipped.delete(name)
      updates.set(name, chain)
      return
    }
    const encoded = encodeChain(chain)
    if (equalBytes(encodeChain(existing), encoded)) return
    let merged: UserPublicKeyLink[]
    try {
      merged = await mergeChains(this.o.crypto, existing, chain, this.o.resolve)
    } catch (e) {
      throw new PkiChangeRefusedError(`The PKI changed ${name}'s claim chain against the append-only rule: ${(e as Error).message}`, { cause: e })
    }
    if (!equalBytes(encodeChain(merged), encoded)) throw new PkiChangeRefusedError(`The PKI's claim chain for ${name} is not the merge of the one held`)
    updates.set(name, chain)
  }

  private async validNewChain(chain: UserPublicKeyLink[], name: string): Promise<boolean> {
    try {
      return await validChain(this.o.crypto, chain, name, this.o.resolve)
    } catch (e) {
      if (e instanceof PeergosError) return false
      throw e
    }
  }

  /** An identity key belongs to one username: a new name reusing another's key is skipped; a known user's is refused. */
  private checkKeysUnique(known: ReadonlyMap<string, readonly UserPublicKeyLink[]>, updates: Map<string, UserPublicKeyLink[]>): void {
    const holder = new Map<string, string>()
    for (const [name, chain] of known) if (!updates.has(name)) for (const l of chain) holder.set(cidToString(l.owner), name)
    const ordered = [...updates.entries()].sort(([a], [b]) => Number(!known.has(a)) - Number(!known.has(b)))
    for (const [name, chain] of ordered) {
      const clash = chain.find((l) => (holder.get(cidToString(l.owner)) ?? name) !== name)
      if (clash !== undefined) {
        if (known.has(name)) throw new PkiChangeRefusedError(`The PKI gave ${name} a key of ${holder.get(cidToString(clash.owner))}`)
        updates.delete(name)
        this.o.skipped.add(name)
        continue
      }
      for (const l of chain) holder.set(cidToString(l.owner), name)
    }
  }

}
