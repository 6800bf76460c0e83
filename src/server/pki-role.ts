// Which part of the PKI a daemon plays (reference §4.3; Peergos Builder.buildCorenode): the PKI node
// itself (`--pki-init`, or no `--pki-node-id`: a LocalCoreNode under this server's PKI key), or a
// mirror of another server's PKI (`--pki-node-id`: a PkiMirror pulled over p2p behind a
// MirrorCoreNode). A data directory that holds a mirror's state never silently becomes a second,
// empty PKI: it must be promoted (`peergos-ts pki promote`) first.
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { equalBytes, parseCid, type CID } from '../codec/cid.ts'
import { PKI_USERNAME } from './services/pki/local-core-node.ts'
import { checkPublicKeyHash, type PublicKeyHash } from '../model/signing-keys.ts'
import type { HttpNetworkServices } from '../http/clients/network.ts'
import { ConfigError, type DaemonConfig } from './config.ts'
import type { ServerIdentity } from './identity.ts'
import { cidOfPeer, parsePeerIdString } from './p2p/peer-ids.ts'
import { MIRROR_STATE_FILE } from './services/pki/mirror-state.ts'
import type { PkiSource } from './services/pki/pki-mirror.ts'

export type PkiRole = { readonly kind: 'node' } | { readonly kind: 'mirror'; readonly pkiNode: CID; readonly identity?: PublicKeyHash }

export function mirrorStatePath(dir: string): string {
  return join(dir, MIRROR_STATE_FILE)
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false)
}

/** The role `config` gives this server, refusing the combinations that would fork or lose the PKI. */
export async function pkiRoleOf(config: DaemonConfig, identity: ServerIdentity): Promise<PkiRole> {
  const pkiNode = config.pkiNodeId === undefined ? undefined : cidOfPeer(parsePeerIdString(config.pkiNodeId))
  const ours = pkiNode === undefined || equalBytes(pkiNode.multihash.bytes, identity.id.multihash.bytes)
  if (ours) {
    if (await exists(mirrorStatePath(config.dir))) {
      throw new ConfigError(`${config.dir} holds a PKI mirror: start it with --pki-node-id, or make it the PKI node with 'peergos-ts pki promote --dir ${config.dir}'`)
    }
    return { kind: 'node' }
  }
  if (config.pkiInit) throw new ConfigError('--pki-init makes this server the PKI node: it cannot also follow --pki-node-id')
  const id = config.pkiIdentity === undefined ? undefined : checkPublicKeyHash(parseCid(config.pkiIdentity))
  return { kind: 'mirror', pkiNode, ...(id === undefined ? {} : { identity: id }) }
}

/** A PKI node's state read through its HTTP API (over p2p): what a PkiMirror pulls. */
export function pkiSourceOver(pki: HttpNetworkServices): PkiSource {
  return {
    identity: () => pki.coreNode.getPublicKeyHash(PKI_USERNAME),
    getPointer: (owner, writer) => pki.pointers.getPointer(owner, writer),
    getBlock: (owner, cid) => pki.storage.get(owner, cid),
  }
}
