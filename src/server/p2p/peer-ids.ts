// Peer ids between our CIDs (libp2p-key CIDv1, what storage `id()` returns and claims name; or a
// legacy sha256 'Qm…' id) and libp2p's PeerId, as Nabu's gateway reads them (Cid.decode).
import type { PeerId } from '@libp2p/interface'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { CID, CODEC_LIBP2P_KEY } from '../../codec/cid.ts'
import { InvalidCidError } from '../../codec/errors.ts'
import { parsePeerId } from '../../http/wire.ts'

/** The libp2p PeerId a peer-id CID names; throws when its multihash is no peer id. */
export function peerIdOf(cid: CID): PeerId {
  return peerIdFromMultihash(cid.multihash)
}

/** Our CID form of a libp2p PeerId: libp2p-key CIDv1 of its multihash. */
export function cidOfPeer(peer: PeerId): CID {
  return CID.createV1(CODEC_LIBP2P_KEY, peer.toMultihash())
}

/** A peer id as written in a URL or option: base58 multihash ("12D3KooW…", "Qm…") or a CID string ("z…", "b…"). */
export function parsePeerIdString(s: string): PeerId {
  const cid = parsePeerId(s)
  try {
    return peerIdOf(cid)
  } catch {
    throw new InvalidCidError('Not a peer id')
  }
}
