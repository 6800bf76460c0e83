// The server's libp2p identity (reference §7.1: servers are named by their peer id): an Ed25519
// key kept in DIR/server-identity.key as a libp2p protobuf private key (mode 0600, written
// atomically), and its peer id: the identity multihash of the protobuf public key, shown as a
// CIDv1 libp2p-key ('z…', what Peergos' `id` returns and claims name) or base58 ('12D3KooW…').
import { constants } from 'node:fs'
import { open, readFile, rename, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { CODEC_LIBP2P_KEY, base58Encode, identityCid, type CID } from '../codec/cid.ts'
import type { CryptoProvider, SigningKeyPairBytes } from '../crypto/provider.ts'
import { PeergosError } from '../errors.ts'

export class ServerIdentityError extends PeergosError {}

export const IDENTITY_FILE = 'server-identity.key'

/** libp2p KeyType.Ed25519 protobuf headers: field 1 (type) = 1, field 2 (data) of 32 or 64 bytes. */
const PUBLIC_HEADER = Uint8Array.of(0x08, 0x01, 0x12, 0x20)
const PRIVATE_HEADER = Uint8Array.of(0x08, 0x01, 0x12, 0x40)

export interface ServerIdentity {
  readonly keys: SigningKeyPairBytes
  /** CIDv1 (libp2p-key, identity multihash of the protobuf public key). */
  readonly id: CID
  /** The base58 form libp2p prints and multiaddrs use (12D3KooW…). */
  readonly peerIdString: string
}

function withHeader(header: Uint8Array, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + key.length)
  out.set(header)
  out.set(key, header.length)
  return out
}

export function serverIdentityFromKeys(keys: SigningKeyPairBytes): ServerIdentity {
  const id = identityCid(CODEC_LIBP2P_KEY, withHeader(PUBLIC_HEADER, keys.publicKey))
  return { keys, id, peerIdString: base58Encode(id.multihash.bytes) }
}

/** Loads the identity of a data directory, creating and persisting a new one on first start. */
export async function loadOrCreateServerIdentity(c: CryptoProvider, dir: string): Promise<ServerIdentity> {
  return serverIdentityFromKeys(await loadOrCreateEd25519Key(c, join(dir, IDENTITY_FILE)))
}

/** An Ed25519 key pair kept in a libp2p protobuf private-key file (0600, written atomically), created on first use. */
export async function loadOrCreateEd25519Key(c: CryptoProvider, path: string): Promise<SigningKeyPairBytes> {
  let bytes: Uint8Array | undefined
  try {
    bytes = new Uint8Array(await readFile(path))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  if (bytes !== undefined) {
    if (bytes.length !== 68 || !PRIVATE_HEADER.every((b, i) => bytes![i] === b)) throw new ServerIdentityError(`${path} is not an Ed25519 libp2p private key`)
    const keys = c.signKeyPairFromSeed(bytes.subarray(4, 36))
    if (!keys.publicKey.every((b, i) => bytes![36 + i] === b)) throw new ServerIdentityError(`${path} holds an inconsistent key pair`)
    return keys
  }
  const keys = c.signKeyPairFromSeed(c.randomBytes(32))
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.tmp`
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600)
  try {
    await fh.writeFile(withHeader(PRIVATE_HEADER, keys.secretKey))
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
  return keys
}
