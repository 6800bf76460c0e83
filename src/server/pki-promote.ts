// Promotion of a PKI mirror to PKI node, for when the PKI node is lost (reference §4.3): the operator
// runs `peergos-ts pki promote` on a stopped mirror's data directory. The mirrored tree (every block
// already local) is checked against the saved chains, then continued under a new PKI key: its PKI
// pointer names the same CHAMP root (CHAMPs are canonical, so it is the tree the old PKI node had), so
// every username keeps its chain. The mirror state is set aside; the daemon then runs with
// --pki-init, and the other servers are re-pointed to it with --pki-node-id, their mirrors accepting
// the new PKI only as an append-only continuation of what they hold.
import { rename } from 'node:fs/promises'
import { join } from 'node:path'
import { Champ, type BlockStore } from '../champ/index.ts'
import { cidToString, equalBytes, type CID } from '../codec/cid.ts'
import { createNodeCrypto } from '../crypto/providers/node.ts'
import { PeergosError } from '../errors.ts'
import { publicKeyHash, type PublicKeyHash } from '../model/signing-keys.ts'
import { decodeChain, encodeChain } from '../model/user-public-key-link.ts'
import type { DaemonConfig } from './config.ts'
import { openBlockStore, PKI_KEY_FILE } from './daemon.ts'
import { openStores } from './db/config.ts'
import { loadOrCreateEd25519Key, loadOrCreateServerIdentity } from './identity.ts'
import { mirrorStatePath } from './pki-role.ts'
import { createLocalStorageServices } from './services/local-storage-services.ts'
import { LocalCoreNode, PKI_USERNAME } from './services/pki/local-core-node.ts'
import { loadMirrorState, PROMOTED_STATE_FILE, type MirrorState } from './services/pki/mirror-state.ts'

/** The directory holds no mirror to promote, or its blocks do not give the saved chains. */
export class PromotionError extends PeergosError {}

export interface PromotionReport {
  /** The new PKI node's peer id (this server's), for the other servers' --pki-node-id. */
  readonly pkiNodeId: string
  /** The new PKI identity. */
  readonly pkiIdentity: string
  /** The PKI node this mirror followed. */
  readonly previousPkiNode: string
  readonly users: number
  readonly tree?: string
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

async function renameIfPresent(from: string, to: string): Promise<void> {
  await rename(from, to).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e
  })
}

/** Every username → chain of the mirrored tree (all blocks local) must be the saved one, and no saved one missing. */
async function checkTree(state: MirrorState, champ: Champ, read: (cid: CID) => Promise<Uint8Array | undefined>): Promise<void> {
  const seen = new Set<string>()
  if (state.tree !== undefined) {
    for await (const e of champ.entries(state.tree)) {
      let name: string
      try {
        name = utf8.decode(e.key)
      } catch {
        continue
      }
      const saved = state.chains.get(name)
      if (saved === undefined) continue // an entry the mirror did not serve (invalid): kept in the tree as it was
      const block = await read(e.value)
      if (block === undefined) throw new PromotionError(`The claim chain block of ${name} is missing`)
      if (!equalBytes(encodeChain(decodeChain(block)), encodeChain(saved))) throw new PromotionError(`The mirrored tree and the saved state disagree on ${name}`)
      seen.add(name)
    }
  }
  for (const name of state.chains.keys()) if (!seen.has(name)) throw new PromotionError(`${name} is in the saved state but not in the mirrored tree`)
}

/** Promotes the (stopped) mirror in `config.dir` to PKI node. */
export async function promoteMirror(config: DaemonConfig): Promise<PromotionReport> {
  const state = await loadMirrorState(mirrorStatePath(config.dir))
  if (state === undefined) throw new PromotionError(`${config.dir} holds no PKI mirror (no ${mirrorStatePath(config.dir)})`)
  const c = await createNodeCrypto()
  const identity = await loadOrCreateServerIdentity(c, config.dir)
  const stores = await openStores(config.postgres === undefined ? { kind: 'sqlite', dir: config.dir } : { kind: 'postgres', url: config.postgres }, { defaultQuota: config.defaultQuota })
  try {
    const blocks = await openBlockStore(config, c)
    try {
      const read = (cid: CID): Promise<Uint8Array | undefined> => blocks.get(cid)
      const store: BlockStore = { get: read, put: () => Promise.reject(new PromotionError('read-only')) }
      await checkTree(state, new Champ({ store, crypto: c, keyHash: 'blake2b', bitWidth: 3, maxCollisions: 4 }), read)

      // A PKI key of this server's own (the old one is lost with the old PKI node): the key of an
      // earlier, interrupted promotion is reused; one that already leads to another tree is set aside.
      const keyPath = join(config.dir, PKI_KEY_FILE)
      const open = async (): Promise<{ core: LocalCoreNode; pki: PublicKeyHash }> => {
        const keys = await loadOrCreateEd25519Key(c, keyPath)
        const pki = publicKeyHash(keys.publicKey)
        const local = createLocalStorageServices({
          crypto: c, blocks, stores, serverIds: () => [identity.id],
          usernameOf: async (owner) => (owner.equals(pki) ? PKI_USERNAME : undefined),
        })
        const core = await LocalCoreNode.open({
          crypto: c, storage: local.storage, pointers: local.pointers, logins: stores.logins, bats: stores.bats,
          pki: { owner: pki, writer: pki, signer: { publicKeyHash: pki, secretKey: keys.secretKey } },
          ...(state.tree === undefined ? {} : { initialTree: state.tree }),
        })
        return { core, pki }
      }
      const sameTree = (core: LocalCoreNode): boolean => (state.tree === undefined ? core.treeRoot === undefined : core.treeRoot?.equals(state.tree) === true)
      let { core, pki } = await open()
      if (!sameTree(core)) {
        await renameIfPresent(keyPath, `${keyPath}.replaced-${Date.now()}`)
        ;({ core, pki } = await open())
        if (!sameTree(core)) throw new PromotionError('The new PKI key does not lead to the mirrored tree')
      }
      for (const [name, chain] of state.chains) {
        if (!equalBytes(encodeChain(await core.getChain(name)), encodeChain(chain))) throw new PromotionError(`The new PKI does not serve ${name}'s chain`)
      }
      // The old PKI's pins go: the new pointer keeps the same tree from GC.
      for (const key of [state.identity, state.writer]) if (!key.equals(pki)) await stores.pointers.remove(key)
      await rename(mirrorStatePath(config.dir), join(config.dir, PROMOTED_STATE_FILE))
      return {
        pkiNodeId: identity.peerIdString,
        pkiIdentity: cidToString(pki),
        previousPkiNode: cidToString(state.pkiNode),
        users: state.chains.size,
        ...(state.tree === undefined ? {} : { tree: cidToString(state.tree) }),
      }
    } finally {
      await blocks.close()
    }
  } finally {
    await stores.close()
  }
}
