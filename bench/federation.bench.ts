// Federation figures on loopback with three daemons in child processes: P the PKI node (--pki-init),
// B and C mirrors of it (--pki-node-id). Users sign up on B; C answers PKI lookups from its mirror
// (p2p.pkiLookup.ms, over C's HTTP API, nothing leaves C) and logs a B user in with the password alone,
// forwarding pointer, block, login and BAT requests to B over libp2p (p2p.remoteLogin.ms).
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UserContext } from '../src/client/user-context.ts'
import { createNodeCrypto } from '../src/crypto/providers/node.ts'
import { httpNetworkServices } from '../src/http/clients/network.ts'
import { NodePoster } from '../src/server/http/node-poster.ts'
import type { NodeInfo } from '../src/server/p2p/node-info.ts'
import type { NetworkAccess } from '../src/services/network-access.ts'
import { startDaemonProcess, type DaemonProcess } from '../test/server/crash/daemon-process.ts'
import { RemoteUser } from '../test/server/crash/remote-user.ts'
import { medianMs, type Figure } from './figures.ts'

const PASSWORD = 'a long bench password for federation'
const USERS = 20
const LOOKUPS = 1000
const LOGINS = 5

async function nodeInfo(dir: string): Promise<NodeInfo> {
  return JSON.parse(await readFile(join(dir, 'node.json'), 'utf8')) as NodeInfo
}

/** Retries `f` while the daemons are still connecting to each other (at most ~20 s). */
async function once<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f()
    } catch (e) {
      if (i >= 80) throw e
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}

export async function run(): Promise<Figure[]> {
  const c = await createNodeCrypto()
  const dirs = await Promise.all(['p', 'b', 'c', 'web'].map((n) => mkdtemp(join(tmpdir(), `pts-bench-fed-${n}-`))))
  const daemons: DaemonProcess[] = []
  const posters: NodePoster[] = []
  const net = (url: string): NetworkAccess => {
    const p = new NodePoster(url, { timeoutMs: 60_000 })
    posters.push(p)
    return { crypto: c, ...httpNetworkServices(p) }
  }
  try {
    // An empty web root: the daemons serve the API only (no UI bundle built at start).
    const base = ['--gc-period', '0', '--web-root', dirs[3]]
    // Many signups in a few seconds: the PKI node is told not to ask for proof of work.
    daemons.push(await startDaemonProcess(dirs[0], { args: [...base, '--pki-init', '--max-daily-signups', '1000000000'], logLevel: 'error' }))
    const p = await nodeInfo(dirs[0])
    const mirror = ['--pki-node-id', p.peerId]
    daemons.push(await startDaemonProcess(dirs[1], { args: [...base, ...mirror, '--bootstrap', p.multiaddrs[0]], logLevel: 'error' }))
    const b = await nodeInfo(dirs[1])
    daemons.push(await startDaemonProcess(dirs[2], { args: [...base, ...mirror, '--bootstrap', `${p.multiaddrs[0]},${b.multiaddrs[0]}`], logLevel: 'error' }))
    const onB = net(daemons[1].url)
    const onC = net(daemons[2].url)

    const tag = Date.now().toString(36)
    const names: string[] = []
    for (let i = 0; i < USERS; i++) names.push((await once(() => RemoteUser.signUp(onB, `fed${tag}${i}`))).username)
    const loginName = `fedlogin${tag}`
    await (await once(() => UserContext.signUp(onB, loginName, PASSWORD))).close()

    // C has pulled every user once (a miss pulls at once); then every lookup is answered from its mirror.
    for (const n of names) if ((await onC.coreNode.getChain(n)).length === 0) throw new Error(`C does not know ${n}`)
    let i = 0
    const lookup = await medianMs(LOOKUPS, async () => {
      if ((await onC.coreNode.getChain(names[i++ % names.length])).length !== 1) throw new Error('lookup failed')
    })

    await (await once(() => UserContext.signIn(onC, loginName, PASSWORD))).close()
    const remote = await medianMs(LOGINS, async () => (await UserContext.signIn(onC, loginName, PASSWORD)).close())
    const home = await medianMs(LOGINS, async () => (await UserContext.signIn(onB, loginName, PASSWORD)).close())
    return [
      { name: 'p2p.pkiLookup.ms', value: lookup, unit: `ms (median getChain on a PKI mirror over its HTTP API, answered locally; ${USERS} users mirrored, node:http client)` },
      { name: 'p2p.remoteLogin.ms', value: remote, unit: `ms (median UserContext.signIn through a server that is not the user's home, which forwards to the home over libp2p; scrypt included; at the home itself: ${home.toFixed(0)} ms)` },
    ]
  } finally {
    for (const poster of posters) poster.close()
    await Promise.all(daemons.map((d) => d.kill('SIGTERM')))
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  }
}
