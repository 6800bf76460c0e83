// The home server: wires the stores (SQLite or Postgres; blocks on disk or S3), the validating
// local services, the PKI (this server's own, `--pki-init`, or a mirror of the PKI node's pulled
// over p2p, `--pki-node-id`: pki-role.ts), the Peergos HTTP API, the libp2p node (the API over
// `/http` streams and the /p2p/ proxy) and periodic GC, optionally after importing a dumped
// Peergos server state. `startDaemon` returns a handle whose close() shuts everything down in
// order (HTTP first, so no request sees a closed store).
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { cidToString } from '../codec/cid.ts'
import { createApiHandler } from '../http/router.ts'
import { MAX_BULK_PUT_BODY } from '../http/routes/storage.ts'
import { MAX_BLOCK_SIZE } from '../services/content-addressed-storage.ts'
import { createNodeCrypto } from '../crypto/providers/node.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { publicKeyHash, type PublicKeyHash } from '../model/signing-keys.ts'
import { chainHomeServer } from '../model/user-public-key-link.ts'
import { FileBlockStore } from './blocks/file-block-store.ts'
import { S3BlockStore } from './blocks/s3-block-store.ts'
import type { ServerBlockStore } from './blocks/server-block-store.ts'
import { BufferPool } from './buffer-pool.ts'
import { firstBlockOffset } from './http/block-write-alignment.ts'
import { ConfigError, type DaemonConfig } from './config.ts'
import { openStores, type Stores } from './db/config.ts'
import { requestPeer, startHttpServer, type NodeServerOptions, type RunningHttpServer } from './http/node-server.ts'
import { staticSite } from './http/static-files.ts'
import { registerServerWireErrors } from './http/wire-errors.ts'
import { loadOrCreateEd25519Key, loadOrCreateServerIdentity, type ServerIdentity } from './identity.ts'
import { importAccountDump, type ImportReport } from './import-account.ts'
import type { Logger } from './log.ts'
import { startDaemonP2p, type DaemonP2p } from './p2p/daemon-p2p.ts'
import { PeerServices } from './p2p/peer-services.ts'
import { Migrator, withMigration } from './p2p/migration/migrator.ts'
import { adoptHomeId, homeIdsOf } from './p2p/routing/home-ids.ts'
import { createRoutedApi, type RoutedApi } from './p2p/routing/routed-api.ts'
import { mirrorStatePath, pkiRoleOf, pkiSourceOver } from './pki-role.ts'
import { BlockReadAuthoriser } from './services/block-read-auth.ts'
import { LocalAccount } from './services/local-account.ts'
import { LocalBatCave } from './services/local-bat-cave.ts'
import { LocalSocialNetwork } from './services/local-social.ts'
import { createLocalStorageServices, type LocalStorageServices } from './services/local-storage-services.ts'
import { LocalCoreNode, PKI_USERNAME } from './services/pki/local-core-node.ts'
import { MirrorCoreNode } from './services/pki/mirror-core-node.ts'
import { PkiMirror } from './services/pki/pki-mirror.ts'
import { isOneOf } from './services/pki/signup-policy.ts'
import { ServerSpace } from './space/server-space.ts'
import { DEFAULT_WEB_ROOT } from './web-bundle.ts'

export const PKI_KEY_FILE = 'pki-identity.key'
export { PKI_USERNAME }

export interface RunningDaemon {
  readonly url: string
  readonly port: number
  readonly identity: ServerIdentity
  readonly crypto: CryptoProvider
  readonly stores: Stores
  readonly blocks: ServerBlockStore
  readonly local: LocalStorageServices
  /** The PKI node's own PKI, or the mirror of the PKI node's. */
  readonly coreNode: LocalCoreNode | MirrorCoreNode
  readonly imported?: ImportReport
  /** The libp2p side (node undefined with --no-p2p) and node.json. */
  readonly p2p: DaemonP2p
  /** The API's services as clients see them (routed to each owner's home server) and the router. */
  readonly api: RoutedApi
  close(): Promise<void>
}

/** The block store `config` names (the data directory, or S3). */
export async function openBlockStore(config: DaemonConfig, c: CryptoProvider, readPool?: BufferPool): Promise<ServerBlockStore> {
  if (config.s3 === undefined) return FileBlockStore.open({ root: config.dir, crypto: c, readPool })
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
    // Blocks read for block/get (up to 1 MiB) in reused buffers, taken back once sent (replyPool below);
    // page-aligned, so fragments are read into them with O_DIRECT in place.
    const blockReadPool = new BufferPool({ bufferSize: MAX_BLOCK_SIZE, maxFree: 16, aligned: true })
    const blocks = await openBlockStore(config, c, blockReadPool)
    cleanups.push(() => blocks.close())
    const role = await pkiRoleOf(config, identity)
    const p2p = await startDaemonP2p({ p2p: config.p2p, limits: config.p2pLimits, dir: config.dir, identity, pkiNodeId: config.pkiNodeId, maxBodyBytes: config.maxBodyBytes, log })
    cleanups.push(() => p2p.close())
    const peers = p2p.node === undefined ? undefined : new PeerServices(p2p.node.libp2p)
    // The home servers served here: ours, and those named by accounts imported from a dump.
    const homeIds = await homeIdsOf(stores.serverIds, identity.id)

    // The PKI node: one Ed25519 key is both the PKI identity and its writer. A mirror has no PKI key.
    const pkiKeys = role.kind === 'node' ? await loadOrCreateEd25519Key(c, join(config.dir, PKI_KEY_FILE)) : undefined
    const pkiHash = pkiKeys === undefined ? undefined : publicKeyHash(pkiKeys.publicKey)
    let core: LocalCoreNode | MirrorCoreNode | undefined
    const pkiIdentity = (): PublicKeyHash | undefined => pkiHash ?? (core as MirrorCoreNode | undefined)?.mirror.identity
    // Blocks are filed under their owner's username, and only owners whose home is this server may
    // write here (a user who moved away is refused). The PKI writes its own blocks while it opens.
    const usernameOf = async (owner: PublicKeyHash): Promise<string | undefined> => {
      if (pkiIdentity()?.equals(owner) === true) return PKI_USERNAME
      const name = core?.usernameForWrites(owner)
      if (name === undefined) return undefined
      const home = chainHomeServer(await core!.getChain(name))
      return home === undefined || isOneOf(home, homeIds) ? name : undefined
    }
    const space = new ServerSpace({ crypto: c, stores, usernameOf, exempt: (owner) => pkiIdentity()?.equals(owner) === true, log })
    const local = createLocalStorageServices({
      crypto: c,
      ...space.storageOptions(blocks),
      stores,
      usernameOf,
      serverIds: () => [identity.id],
    })
    const spaceUsage = space.attach(local)
    cleanups.push(() => space.close())
    const signups = config.requireSignupToken ? { quotas: stores.quotas, maxUsers: 0 } : undefined
    let mirror: PkiMirror | undefined
    if (role.kind === 'node') {
      core = await LocalCoreNode.open({
        crypto: c,
        storage: local.storage,
        pointers: local.pointers,
        pki: { owner: pkiHash!, writer: pkiHash!, signer: { publicKeyHash: pkiHash!, secretKey: pkiKeys!.secretKey } },
        logins: stores.logins,
        bats: stores.bats,
        serverIds: [identity.id],
        signups,
        maxSignupsPerDay: config.maxDailySignups,
      })
    } else {
      const pki = peers!.of(role.pkiNode)
      mirror = await PkiMirror.open({
        crypto: c, blocks, pointers: stores.pointers, transactions: stores.transactions, pkiNode: role.pkiNode, source: pkiSourceOver(pki),
        ...(role.identity === undefined ? {} : { identity: role.identity }), statePath: mirrorStatePath(config.dir), log,
      })
      cleanups.push(() => mirror!.close())
      core = new MirrorCoreNode({
        crypto: c, mirror, pki: pki.coreNode, storage: local.storage, pointers: local.pointers, logins: stores.logins, bats: stores.bats,
        serverIds: [identity.id], signups, log,
      })
    }
    const coreNode = core

    let imported: ImportReport | undefined
    if (config.importAccount !== undefined) {
      if (!(coreNode instanceof LocalCoreNode)) throw new ConfigError('--import-account needs this server to be the PKI node')
      imported = await importAccountDump(c, config.importAccount, {
        blocks, stores,
        registerChain: async (u, chain) => {
          await coreNode.importChain(u, chain)
          await adoptHomeId(stores.serverIds, homeIds, chain)
        },
      })
      log.info({ imported }, 'imported account dump')
    }

    const account = new LocalAccount({ crypto: c, logins: stores.logins, mfa: stores.mfa, core: coreNode, storage: local.storage, pointers: local.pointers })
    const social = new LocalSocialNetwork({ crypto: c, followRequests: stores.followRequests, core: coreNode, storage: local.storage })
    const batCave = new LocalBatCave({ crypto: c, bats: stores.bats, core: coreNode, storage: local.storage })
    // Users moving here from another home server, or away from this one (MirrorCoreNode.migrateUser).
    const migrator = new Migrator({
      crypto: c, core: coreNode, isHome: (id) => isOneOf(id, homeIds), ourId: () => identity.id, peers, blocks, stores, log,
      ...(mirror === undefined ? {} : { refreshPki: () => mirror!.refresh() }),
      quotaOf: (username) => space.accounting.quota(username, true),
      onPointerSet: (owner, writer, target) => space.accounting.onPointerChange(owner, writer, undefined, target),
    })
    const api = createRoutedApi(
      { storage: local.storage, pointers: local.pointers, coreNode: withMigration(coreNode, migrator), account, social, batCave, spaceUsage },
      { crypto: c, core: coreNode, homeIds: () => homeIds, peers, auth: new BlockReadAuthoriser({ crypto: c, bats: stores.bats }), ourId: () => identity.id },
      { publicServer: config.publicServer, requester: requestPeer, onError: (err, req) => log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, path: req.path }, 'request failed') },
    )
    // Which routes keep nothing of their bodies (block writes) is a property of the route table; the
    // routed handler answers maxBodySize only, so a plain handler over the same tables tells.
    const routes = createApiHandler({ storage: local.storage }, { publicServer: config.publicServer })
    const handler = Object.assign(api.handler, { bodyIsTransient: (method: string, path: string) => routes.bodyIsTransient!(method, path) })
    // Block-write bodies (up to 2 MiB) in reused buffers, page-aligned and placed so that a write's
    // first block is aligned: the block store writes a fragment with O_DIRECT from the body itself; in
    // shared memory, so that fragment workers hash and write it there (blocks/fragment-workers.ts).
    const bodyPool = new BufferPool({ bufferSize: MAX_BULK_PUT_BODY, maxFree: 16, aligned: true, shared: true })
    // the web UI's static files (GET/HEAD outside /api, /peergos and /p2p), then the p2p gateway,
    // then the static files again for a gateway path naming this node (rewritten to its own path)
    const site = staticSite(config.webRoot ?? DEFAULT_WEB_ROOT)
    const gateway = p2p.gateway
    const intercept: NonNullable<NodeServerOptions['intercept']> = (req, res, expectsContinue) => site(req, res) || (gateway?.(req, res, expectsContinue) ?? false) || site(req, res)
    const http: RunningHttpServer = await startHttpServer(handler, {
      host: config.host, port: config.port, peerIds: [identity.id], intercept, bodyPool, alignBody: firstBlockOffset, replyPool: blockReadPool, onError: (err) => log.warn({ err }, 'http transport error'),
      requestTimeoutMs: config.requestTimeoutMs, headersTimeoutMs: config.headersTimeoutMs,
      slowRequests: config.slowRequestMs > 0 ? { afterMs: config.slowRequestMs, report: (r) => log.warn(r, 'slow request') } : undefined,
    })
    cleanups.push(() => http.close())
    await p2p.attach(http.server, http.url)
    space.reconcileInBackground()
    mirror?.start(config.pkiRefreshMs)

    let gcTimer: NodeJS.Timeout | undefined
    if (config.gcPeriodMs > 0) {
      gcTimer = setInterval(() => {
        local.gc.collect().then((r) => log.info({ gc: r }, 'garbage collection done'), (err) => log.error({ err }, 'garbage collection failed'))
      }, config.gcPeriodMs)
      gcTimer.unref()
      cleanups.push(async () => clearInterval(gcTimer))
    }

    log.info({ url: http.url, peerId: identity.peerIdString, id: cidToString(identity.id), dir: config.dir, pki: role.kind === 'node' ? cidToString(pkiHash!) : `mirror of ${cidToString(role.pkiNode)}` }, 'peergos-ts daemon listening')
    return { url: http.url, port: http.port, identity, crypto: c, stores, blocks, local, coreNode, imported, p2p, api, close: closeAll }
  } catch (e) {
    await closeAll()
    throw e
  }
}
