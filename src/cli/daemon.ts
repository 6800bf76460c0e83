// `peergos-ts daemon`: parses the options, starts the home server and runs until SIGTERM/SIGINT,
// then shuts down gracefully (in-flight requests finish, stores close cleanly).
import { ConfigError, daemonHelp, parseDaemonArgs } from '../server/config.ts'
import { startDaemon } from '../server/daemon.ts'
import { createLogger } from '../server/log.ts'
import { tuneHeapGrowth } from '../server/v8-heap.ts'
import { ensureWebBundle } from '../server/web-bundle.ts'

export async function runDaemon(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(daemonHelp())
    return 0
  }
  let config
  try {
    config = parseDaemonArgs(args, process.env)
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`peergos-ts daemon: ${e.message}\n`)
      return 2
    }
    throw e
  }
  tuneHeapGrowth()
  const log = createLogger(config.logLevel)
  let daemon
  try {
    // the package's own UI bundle is built first when missing or older than its sources (a fresh clone)
    if (config.webRoot === undefined) {
      await ensureWebBundle().then((built) => built && log.info('built the web UI into dist/web'), (err: unknown) => log.warn({ err }, 'the web UI could not be built; the API is served without it'))
    }
    daemon = await startDaemon(config, log)
  } catch (e) {
    log.fatal({ err: e }, 'daemon failed to start')
    process.stderr.write(`peergos-ts daemon: ${(e as Error).message}\n`)
    return 1
  }
  process.stdout.write(`peergos-ts daemon listening on ${daemon.url} (peer id ${daemon.identity.peerIdString}, data in ${config.dir})\n`)
  const p2p = daemon.p2p.info().multiaddrs
  process.stdout.write(daemon.p2p.node === undefined ? 'p2p disabled\n' : `p2p on ${p2p.length === 0 ? '(no address yet)' : p2p.join(' ')}\n`)
  const running = daemon
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'shutting down')
      running.close().then(resolve, resolve)
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  return 0
}
