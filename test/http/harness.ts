// Test harness for conformance suites: serves any set of local service implementations over
// 127.0.0.1 (router + node server) and returns HTTP clients of them, so one suite can run
// suite(local) and suite(HTTP client → server → local) with identical assertions.
import { createApiHandler, type ApiHandlerOptions, type ApiServices } from '../../src/http/router.ts'
import { FetchPoster } from '../../src/http/poster.ts'
import { httpNetworkServices, type HttpNetworkServices } from '../../src/http/clients/network.ts'
import { startHttpServer, type NodeServerOptions, type RunningHttpServer } from '../../src/server/http/node-server.ts'

export interface ServedOverHttp {
  /** HTTP clients of every service (those not given to the server answer 404). */
  readonly clients: HttpNetworkServices
  readonly server: RunningHttpServer
  close(): Promise<void>
}

export async function serveOverHttp(local: ApiServices, options: { api?: ApiHandlerOptions; server?: NodeServerOptions } = {}): Promise<ServedOverHttp> {
  const server = await startHttpServer(createApiHandler(local, options.api), options.server)
  return {
    clients: httpNetworkServices(new FetchPoster(server.url)),
    server,
    close: () => server.close(100),
  }
}
