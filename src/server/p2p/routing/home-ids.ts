// The home server ids a daemon serves as its own (reference §7.1, §8.3 MultiIdStorage): its peer id,
// plus the ids named by the claims of accounts it imported from another server's dump (the accounts
// live here now, though their claims still name the server that wrote them). Kept in Peergos'
// serverids table, without private key or record.
import * as Digest from 'multiformats/hashes/digest'
import { CID, CODEC_LIBP2P_KEY } from '../../../codec/cid.ts'
import { chainHomeServer, type UserPublicKeyLink } from '../../../model/user-public-key-link.ts'
import type { ServerIdStore } from '../../db/server-id-store.ts'
import { isOneOf } from '../../services/pki/signup-policy.ts'

/** Our id first, then every adopted id. */
export async function homeIdsOf(store: ServerIdStore, ours: CID): Promise<CID[]> {
  const ids = [ours]
  for (const bytes of await store.getIdentities()) {
    const id = CID.createV1(CODEC_LIBP2P_KEY, Digest.decode(bytes))
    if (!isOneOf(id, ids)) ids.push(id)
  }
  return ids
}

/** Adopts the home server of an imported chain (into `ids` and the store) unless already served here. */
export async function adoptHomeId(store: ServerIdStore, ids: CID[], chain: readonly UserPublicKeyLink[]): Promise<void> {
  const home = chainHomeServer(chain)
  if (home === undefined || isOneOf(home, ids)) return
  await store.addIdentity(home.multihash.bytes, new Uint8Array(0))
  ids.push(home)
}
