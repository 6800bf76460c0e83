// Rewriting a file that is a writing space of its own (reference §6.3; Peergos FileWrapper.overwriteFile
// for a file shared with write access, or opened through a writable secret link): the holder of the
// file's write capability has no write access to its folder, so the file is rewritten in place — same
// capability, new chunk nodes under the same labels, surplus chunks removed — keeping its parent link,
// its mime type (its folder's entry cannot change) and, on its first chunk, its sealed key pair.
import type { CryptoProvider } from '../crypto/provider.ts'
import { PeergosError } from '../errors.ts'
import type { WritableAbsoluteCapability } from '../model/capability.ts'
import type { BatId } from '../model/bat-id.ts'
import { createFileNode, decodeCryptreeNode, encodeCryptreeNode, nodeMirrorBatId, type CryptreeNode } from '../model/cryptree-node.ts'
import { readCryptreeNode } from '../model/cryptree-read.ts'
import { calculateNextMapKey, timestampFromMillis, type FileProperties } from '../model/file-properties.ts'
import { subsequentChunkCapability, type RelativeCapability } from '../model/relative-capability.ts'
import type { SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import { randomSymmetricKey } from '../model/symmetric-key.ts'
import { NotFoundError } from './errors.ts'
import { chunkLocation, chunkNodes, storeContents, type ByteSource, type FileKeys } from './file-upload.ts'
import { CHUNK_SIZE } from './tree-reader.ts'
import type { WriterSession } from './writer-session.ts'

/** The item is not a file that can be rewritten in place (a folder, or a legacy file without a stream secret). */
export class NotRewritableError extends PeergosError {}

export interface OwnFileWriteOptions {
  /** Epoch milliseconds (default now). */
  readonly modified?: number
  readonly onProgress?: (bytes: number) => void
  readonly chunksInFlight?: number
  readonly signal?: AbortSignal
}

/** Replaces the contents of the file `cap`, the first node of the writing space `session` signs for. */
export async function rewriteOwnFile(session: WriterSession, cap: WritableAbsoluteCapability, signer: SigningPrivateKeyAndPublicHash, source: ByteSource, o: OwnFileWriteOptions = {}): Promise<FileProperties> {
  const c = session.crypto
  const head = await session.view(async (tx) => tx.getNode(cap.mapKey, cap.bat))
  if (head === undefined) throw new NotFoundError('The file is missing')
  const node = decodeCryptreeNode(head.block)
  const view = readCryptreeNode(c, node, cap.rBaseKey, cap.wBaseKey)
  if (view.isDirectory || view.properties.streamSecret === undefined || view.dataKey === undefined || cap.bat === undefined) {
    throw new NotRewritableError(`'${view.properties.name}' cannot be rewritten in place`)
  }
  const mirrorBatId = nodeMirrorBatId(node)
  // a data key marked dirty by a key rotation is replaced on the next write
  const keys: FileKeys = {
    baseKey: cap.rBaseKey, dataKey: view.dataKey.dirty ? randomSymmetricKey(c) : view.dataKey, wBaseKey: cap.wBaseKey,
    streamSecret: view.properties.streamSecret, mapKey: cap.mapKey, bat: cap.bat,
  }
  return session.withTransaction(async (tid) => {
    const stored = await storeContents(session, tid, keys, source, { mirrorBatId, onProgress: o.onProgress, chunksInFlight: o.chunksInFlight, signal: o.signal })
    return session.apply(async (tx) => {
      const found = await tx.getNode(cap.mapKey, cap.bat)
      if (found === undefined) throw new NotFoundError(`'${view.properties.name}' was removed meanwhile`)
      const current = readCryptreeNode(c, decodeCryptreeNode(found.block), cap.rBaseKey, cap.wBaseKey)
      const time = timestampFromMillis(o.modified ?? Date.now())
      const props: FileProperties = { ...current.properties, size: stored.size, modified: time, treeHash: undefined }
      const nodes = chunkNodes(c, keys, props, current.parentLink, stored.chunks, stored.chunks.map((ch) => ch.plainHash), mirrorBatId)
      for (const [i, n] of nodes.entries()) {
        if (i === 0) await tx.setNode(n.mapKey, encodeFirst(c, keys, n.built.node, current.parentLink, signer, mirrorBatId), n.bat)
        else await tx.setBuiltNode(n.mapKey, n.built, n.bat)
      }
      const oldCount = Math.max(1, Math.ceil(current.properties.size / CHUNK_SIZE))
      for (let i = Math.max(1, stored.chunks.length); i < oldCount; i++) {
        const loc = chunkLocation(c, keys, i)
        await tx.removeNode(loc.mapKey, loc.bat)
      }
      return props
    }, tid)
  })
}

/** The first chunk as chunkNodes built it, with the writing space's key pair sealed in it again. */
function encodeFirst(c: CryptoProvider, keys: FileKeys, built: CryptreeNode, parentLink: RelativeCapability | undefined, signer: SigningPrivateKeyAndPublicHash, mirrorBatId: BatId | undefined): Uint8Array {
  const v = readCryptreeNode(c, built, keys.baseKey)
  const next = calculateNextMapKey(c, keys.streamSecret, keys.mapKey, keys.bat)
  const node = createFileNode(c, {
    properties: v.properties, parentLink, nextChunk: subsequentChunkCapability(next.mapKey, next.bat, keys.baseKey),
    inlineBat: keys.bat, mirrorBatId, baseKey: keys.baseKey, dataKey: keys.dataKey, signer, wBaseKey: keys.wBaseKey,
  }, built.data)
  return encodeCryptreeNode(node)
}
