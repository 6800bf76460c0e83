// What a PKI mirror keeps between restarts (reference §4.3; Peergos MirrorCoreNode's pki-state.cbor,
// in a layout of our own): the PKI node it follows, the PKI identity and writer, their signed pointers
// as last accepted (verified again on load), the tree root they lead to, and every username's claim
// chain in the order the mirror learnt them. DIR/pki-mirror.cbor, replaced atomically on each change.
import { readFile } from 'node:fs/promises'
import { decodeCbor, encodeCbor, type CborValue } from '../../../codec/cbor.ts'
import { asList, asString, cborMap, Fields } from '../../../codec/cbor-read.ts'
import type { CID } from '../../../codec/cid.ts'
import { PeergosError } from '../../../errors.ts'
import { publicKeyHashFromCbor, type PublicKeyHash } from '../../../model/signing-keys.ts'
import { chainFromCbor, chainToCbor, type UserPublicKeyLink } from '../../../model/user-public-key-link.ts'
import { writeFileDurably } from '../../durable-file.ts'

export const MIRROR_STATE_FILE = 'pki-mirror.cbor'
/** The name the state file gets once its mirror has been promoted to PKI node. */
export const PROMOTED_STATE_FILE = 'pki-mirror.cbor.promoted'
const VERSION = 1

/** The state file is unreadable or not a mirror state of this version. */
export class MirrorStateError extends PeergosError {}

export interface MirrorState {
  /** The PKI node's peer id (libp2p-key CID) the state was pulled from. */
  readonly pkiNode: CID
  /** The PKI user's identity ("peergos"), owner of the PKI blocks. */
  readonly identity: PublicKeyHash
  /** The PKI writer whose WriterData holds the tree (the identity itself on peergos-ts PKI nodes). */
  readonly writer: PublicKeyHash
  /** The identity's signed pointer as accepted. */
  readonly identityPointer: Uint8Array
  /** The writer's signed pointer, when the writer is not the identity. */
  readonly writerPointer?: Uint8Array
  /** The PKI CHAMP root (absent while the PKI has no user). */
  readonly tree?: CID
  /** username → claim chain, in the order learnt. */
  readonly chains: ReadonlyMap<string, readonly UserPublicKeyLink[]>
}

export function encodeMirrorState(s: MirrorState): Uint8Array {
  const chains: CborValue[] = []
  for (const [name, chain] of s.chains) chains.push([name, chainToCbor(chain)])
  return encodeCbor(cborMap({
    v: VERSION, node: s.pkiNode, id: s.identity, w: s.writer, ip: s.identityPointer, wp: s.writerPointer, t: s.tree, c: chains,
  }))
}

export function decodeMirrorState(bytes: Uint8Array): MirrorState {
  try {
    const f = Fields.of(decodeCbor(bytes, { maxDepth: 12 }), 'MirrorState')
    if (f.int('v') !== VERSION) throw new MirrorStateError(`Unknown PKI mirror state version ${f.int('v')}`)
    const chains = new Map<string, UserPublicKeyLink[]>()
    for (const e of f.list('c')) {
      const [name, chain] = asList(e, 'MirrorState.c[]')
      chains.set(asString(name, 'MirrorState username'), chainFromCbor(chain))
    }
    const writerPointer = f.optBytes('wp')
    const tree = f.optLink('t')
    return {
      pkiNode: f.link('node'),
      identity: publicKeyHashFromCbor(f.req('id')),
      writer: publicKeyHashFromCbor(f.req('w')),
      identityPointer: f.bytes('ip'),
      ...(writerPointer === undefined ? {} : { writerPointer }),
      ...(tree === undefined ? {} : { tree }),
      chains,
    }
  } catch (e) {
    if (e instanceof MirrorStateError) throw e
    throw new MirrorStateError(`Unreadable PKI mirror state: ${(e as Error).message}`, { cause: e })
  }
}

/** The state saved at `path`, or undefined when there is none. */
export async function loadMirrorState(path: string): Promise<MirrorState | undefined> {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await readFile(path))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  return decodeMirrorState(bytes)
}

export function saveMirrorState(path: string, s: MirrorState): Promise<void> {
  return writeFileDurably(path, encodeMirrorState(s))
}
