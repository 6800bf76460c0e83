// HttpMutablePointers: the MutablePointers interface over /peergos/v0/mutable/ (reference §3.3, §7.3;
// Peergos HttpMutablePointers): setPointer/setPointers post bodies (60 s timeout) and read a DataOutput boolean.
import { cidToString } from '../../codec/cid.ts'
import { encodeMultiWriterCommit, type SignedPointerUpdate } from '../../model/multi-writer-commit.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { MutablePointers } from '../../services/mutable-pointers.ts'
import { HttpClientBase, query, readBoolean } from './common.ts'

const MUTABLE = 'peergos/v0/mutable/'

export class HttpMutablePointers extends HttpClientBase implements MutablePointers {
  async setPointer(owner: PublicKeyHash, writer: PublicKeyHash, signedUpdate: Uint8Array): Promise<boolean> {
    const path = MUTABLE + 'setPointer' + query([['owner', cidToString(owner)], ['writer', cidToString(writer)]])
    return readBoolean(await this.send(path, signedUpdate, { gzip: true, timeoutMs: 60_000 }))
  }

  async setPointers(owner: PublicKeyHash, updates: SignedPointerUpdate[]): Promise<boolean> {
    const path = MUTABLE + 'setPointers' + query([['owner', cidToString(owner)]])
    return readBoolean(await this.send(path, encodeMultiWriterCommit({ updates }), { gzip: true, timeoutMs: 60_000 }))
  }

  async getPointer(owner: PublicKeyHash, writer: PublicKeyHash): Promise<Uint8Array | undefined> {
    const reply = await this.read(MUTABLE + 'getPointer' + query([['owner', cidToString(owner)], ['writer', cidToString(writer)]]))
    return reply.length === 0 ? undefined : reply
  }
}
