// A user's snapshot on their home server (reference §4.4; Peergos MirrorCoreNode.migrateUser, the
// leaving side): every writer's signed pointer, pending follow requests, mirror BATs, login data and
// the secret-link counts changed after a time, read from this server's own tables and blocks.
import { decodeCbor } from '../../../codec/cbor.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import type { LoginData } from '../../../model/login-data.ts'
import { publicSigningKeyFromCbor, type PublicKeyHash } from '../../../model/signing-keys.ts'
import type { SigningKeyResolver } from '../../../model/user-public-key-link.ts'
import type { UserSnapshot } from '../../../model/user-snapshot.ts'
import { userStaticDataFromCbor } from '../../../model/user-static-data.ts'
import type { ServerBlockStore } from '../../blocks/server-block-store.ts'
import type { Stores } from '../../db/config.ts'
import type { LoginRow } from '../../db/login-store.ts'
import { userWriters } from './user-writers.ts'

export type SnapshotStores = Pick<Stores, 'pointers' | 'followRequests' | 'bats' | 'logins' | 'linkCounts'>

function loginDataOf(row: LoginRow): LoginData {
  return {
    username: row.username,
    entryPoints: userStaticDataFromCbor(decodeCbor(row.entry, { maxDepth: 4 })),
    authorisedReader: publicSigningKeyFromCbor(decodeCbor(row.reader, { maxDepth: 2 })),
  }
}

export async function localSnapshot(c: CryptoProvider, blocks: ServerBlockStore, stores: SnapshotStores, resolve: SigningKeyResolver,
  username: string, owner: PublicKeyHash, linkCountsAfter: number): Promise<UserSnapshot> {
  const writers = await userWriters(c, owner, { getPointer: (w) => stores.pointers.get(w), getBlock: (cid) => blocks.get(cid) }, resolve)
  const login = await stores.logins.get(username)
  return {
    username,
    owner,
    pointers: writers.map((w) => ({ writer: w.writer, signed: w.signed })),
    followRequests: await stores.followRequests.list(owner),
    mirrorBats: (await stores.bats.list(username)).map((b) => ({ bat: b.bat, id: b.id })),
    ...(login === undefined ? {} : { login: loginDataOf(login) }),
    linkCounts: await stores.linkCounts.listAfter(username, linkCountsAfter),
  }
}
