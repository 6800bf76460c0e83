// The HTTP path for the conformance suites: serves a bundle's or a stack's local services with
// createApiHandler + startHttpServer on 127.0.0.1 and hands the suites the HTTP clients instead, while
// the admin hooks (registerUser, setQuota, addMirrorBat) still act on the server's side.
import { createApiHandler, type ApiServices } from '../../src/http/router.ts'
import { FetchPoster, type Poster } from '../../src/http/poster.ts'
import { httpNetworkServices, type HttpNetworkServices } from '../../src/http/clients/network.ts'
import { startHttpServer } from '../../src/server/http/node-server.ts'
import { registerServerWireErrors } from '../../src/server/http/wire-errors.ts'
import type { ConformanceBundle } from './bundle.ts'
import type { ServicesStack } from './services-stack.ts'
import type { ServicesFixture } from './services-fixture.ts'

/** Builds the client transport for a server URL (FetchPoster by default; NodePoster in its own run). */
export type PosterFactory = (url: string) => Poster & { close?: () => void }

const fetchPoster: PosterFactory = (url) => new FetchPoster(url)

async function serve(services: ApiServices, makePoster: PosterFactory): Promise<{ clients: HttpNetworkServices; close: () => Promise<void> }> {
  // This process is both ends: the server names its errors, the clients rebuild them by name.
  registerServerWireErrors()
  const server = await startHttpServer(createApiHandler(services))
  const poster = makePoster(server.url)
  return { clients: httpNetworkServices(poster), close: async () => { poster.close?.(); await server.close(100) } }
}

/** `local`'s storage and pointers behind HTTP; everything else of the bundle unchanged. */
export async function bundleOverHttp(local: ConformanceBundle, makePoster: PosterFactory = fetchPoster): Promise<ConformanceBundle> {
  const { clients, close } = await serve({ storage: local.storage, pointers: local.pointers }, makePoster)
  return {
    crypto: local.crypto,
    storage: clients.storage,
    pointers: clients.pointers,
    registerUser: (username, identity) => local.registerUser(username, identity),
    ...(local.setQuota === undefined ? {} : { setQuota: local.setQuota.bind(local) }),
    ...(local.addMirrorBat === undefined ? {} : { addMirrorBat: local.addMirrorBat.bind(local) }),
    clientSplitsPuts: true,
    async close() {
      await close()
      await local.close()
    },
  }
}

/** Every service of `local` behind HTTP, errors still typed (both ends register the same classes). */
export async function stackOverHttp(local: ServicesStack, makePoster: PosterFactory = fetchPoster): Promise<ServicesFixture> {
  const { clients, close } = await serve({
    storage: local.storage, pointers: local.pointers, coreNode: local.coreNode, account: local.account, social: local.social, batCave: local.batCave,
  }, makePoster)
  return {
    crypto: local.crypto,
    serverId: local.serverId,
    coreNode: clients.coreNode,
    account: clients.account,
    social: clients.social,
    batCave: clients.batCave,
    pointers: clients.pointers,
    typedErrors: true,
    async close() {
      await close()
      await local.close()
    },
  }
}
