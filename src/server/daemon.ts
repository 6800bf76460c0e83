// The home server: wires the stores (SQLite or Postgres; blocks on disk or S3), the validating
// local services, the single-server PKI, the Peergos HTTP API, the libp2p node (the API over
// `/http` streams and the /p2p/ proxy) and periodic GC, optionally after importing a dumped
// Peergos server state. `startDaemon` returns a handle whose close() shuts
// everything down in order (HTTP first, so no request sees a closed store).
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { cidToString } from '../codec/cid.ts'
import { createNodeCrypto } from '../crypto/providers/node.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { createApiHandler } from '../http/router.ts'
import { publicKeyHash, type PublicKeyHash } from '../model/signing-keys.ts'
import { FileBlockStore } from './blocks/file-block-store.ts'
import { S3BlockStore } from './blocks/s3-block-store.ts'
import type { ServerBlockStore } from './blocks/server-block-store.ts'
import type { DaemonConfig } from './config.ts'
import { openStores, type Stores } from './db/config.ts'
import { requestPeer, startHttpServer, type RunningHttpServer } from './http/node-server.ts'
import { registerServerWireErrors } from './http/wire-errors.ts'
import { loadOrCreateEd25519Key, loadOrCreateServerIdentity, type ServerIdentity } from './identity.ts'
import { importAccountDump, type ImportReport } from './import-account.ts'
import type { Logger } from './log.ts'
import { startDaemonP2p, type DaemonP2p } from './p2p/daemon-p2p.ts'
import { LocalAccount } from './services/local-account.ts'
import { LocalBatCave } from './services/local-bat-cave.ts'
import { LocalSocialNetwork } from './services/local-social.ts'
import { createLocalStorageServices, type LocalStorageServices } from './services/local-storage-services.ts'
import { LocalCoreNode } from './services/pki/local-core-node.ts'
import { ServerSpace } from './space/server-space.ts'

export const PKI_KEY_FILE = 'pki-identity.key'
/** The PKI user's name, as in Peergos. */
export const PKI_USERNAME = 'peergos'

export interface RunningDaemon {
  readonly url: string
  readonly port: number
  readonly identity: ServerIdentity
  readonly crypto: CryptoProvider
  readonly stores: Stores
  readonly blocks: ServerBlockStore
  readonly local: LocalStorageServices
  readonly coreNode: LocalCoreNode
  readonly imported?: ImportReport
  /** The libp2p side (node undefined with --no-p2p) and node.json. */
  readonly p2p: DaemonP2p
  close(): Promise<void>
}

async function openBlockStore(config: DaemonConfig, c: CryptoProvider): Promise<ServerBlockStore> {
  if (config.s3 === undefined) return FileBlockStore.open({ root: config.dir, crypto: c })
  const s3 = config.s3
  return S3BlockStore.open({ bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, prefix: s3.prefix, crypto: c })
}

export async function startDaemon(config: DaemonConfig, log: Logger): Promise<RunningDaemon> {
  registerServerWireErrors()
  await mkdir(config.dir, { recursive: true })
  const c = await createNodeCrypto()
  const identity = await loadOrCreateServerIdentity(c, config.dir)
  const stores = await openStores(config.postgres === undefined ? { kind: 'sqlite', dir: config.dir } : { kind: 'postgres', url: config.postgres }, { defaultQuota: config.defaultQuota })
  const cleanups: (() => Promise<unknown>)[] = [() => stores.close()]
  const closeAll = async (): Promise<void> => {
    for (const f of cleanups.reverse()) await f().catch((e) => log.error({ err: e }, 'error while closing'))
  }
  try {
    const blocks = await openBlockStore(config, c)
    cleanups.push(() => blocks.close())

    // The PKI of this single server: one Ed25519 key is both the PKI identity and its writer.
    const pkiKeys = await loadOrCreateEd25519Key(c, join(config.dir, PKI_KEY_FILE))
    const pkiHash = publicKeyHash(pkiKeys.publicKey)
    let core: LocalCoreNode | undefined
    // The PKI writes its own blocks while it opens, before `core` is assigned.
    const usernameOf = async (owner: PublicKeyHash): Promise<string | undefined> => (owner.equals(pkiHash) ? PKI_USERNAME : core?.usernameForWrites(owner))
    const space = new ServerSpace({ crypto: c, stores, usernameOf, exempt: (owner) => owner.equals(pkiHash), log })
    const local = createLocalStorageServices({
      crypto: c,
      ...space.storageOptions(blocks),
      stores,
      usernameOf,
      serverIds: () => [identity.id],
    })
    const spaceUsage = space.attach(local)
    cleanups.push(() => space.close())
    core = await LocalCoreNode.open({
      crypto: c,
      storage: local.storage,
      pointers: local.pointers,
      pki: { owner: pkiHash, writer: pkiHash, signer: { publicKeyHash: pkiHash, secretKey: pkiKeys.secretKey } },
      logins: stores.logins,
      bats: stores.bats,
      serverIds: [identity.id],
      signups: config.requireSignupToken ? { quotas: stores.quotas, maxUsers: 0 } : undefined,
    })
    const coreNode = core

    let imported: ImportReport | undefined
    if (config.importAccount !== undefined) {
      imported = await importAccountDump(c, config.importAccount, { blocks, stores, registerChain: (u, chain) => coreNode.importChain(u, chain) })
      log.info({ imported }, 'imported account dump')
    }

    const account = new LocalAccount({ crypto: c, logins: stores.logins, mfa: stores.mfa, core: coreNode, storage: local.storage, pointers: local.pointers })
    const social = new LocalSocialNetwork({ crypto: c, followRequests: stores.followRequests, core: coreNode, storage: local.storage })
    const batCave = new LocalBatCave({ crypto: c, bats: stores.bats, core: coreNode, storage: local.storage })
    const handler = createApiHandler(
      { storage: local.storage, pointers: local.pointers, coreNode, account, social, batCave, spaceUsage },
      { publicServer: config.publicServer, requester: requestPeer, onError: (err, req) => log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, path: req.path }, 'request failed') },
    )
    const p2p = await startDaemonP2p({ p2p: config.p2p, dir: config.dir, identity, pkiNodeId: config.pkiNodeId, maxBodyBytes: config.maxBodyBytes, log })
    cleanups.push(() => p2p.close())
    const http: RunningHttpServer = await startHttpServer(handler, { host: config.host, port: config.port, peerIds: [identity.id], intercept: p2p.gateway, onError: (err) => log.warn({ err }, 'http transport error') })
    cleanups.push(() => http.close())
    await p2p.attach(http.server, http.url)
    space.reconcileInBackground()

    let gcTimer: NodeJS.Timeout | undefined
    if (config.gcPeriodMs > 0) {
      gcTimer = setInterval(() => {
        local.gc.collect().then((r) => log.info({ gc: r }, 'garbage collection done'), (err) => log.error({ err }, 'garbage collection failed'))
      }, config.gcPeriodMs)
      gcTimer.unref()
      cleanups.push(async () => clearInterval(gcTimer))
    }

    log.info({ url: http.url, peerId: identity.peerIdString, id: cidToString(identity.id), dir: config.dir, pki: cidToString(pkiHash) }, 'peergos-ts daemon listening')
    return { url: http.url, port: http.port, identity, crypto: c, stores, blocks, local, coreNode, imported, p2p, close: closeAll }
  } catch (e) {
    await closeAll()
    throw e
  }
}
