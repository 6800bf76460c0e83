// Circuit relay v2 between three daemons in child processes (the real CLI) on loopback: R relays
// (--relay); C listens on nothing (--p2p-listen none) and is reachable only through its reservation
// on R (--relay-via), which it advertises in node.json; A bootstraps to C's relayed address, and
// A's gateway reaches C's HTTP API (storage id, a user's claim chain) through R.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { cidToString } from '../../../src/codec/cid.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import { parsePeerId } from '../../../src/http/wire.ts'
import type { NodeInfo } from '../../../src/server/p2p/node-info.ts'
import { startDaemonProcess, type DaemonProcess } from '../crash/daemon-process.ts'
import { RemoteUser } from '../crash/remote-user.ts'
import { uniqueName } from '../services/storage-fixtures.ts'
import { readNodeInfo, servicesVia } from './fixtures.ts'

const dirs: string[] = []
const daemons: DaemonProcess[] = []
let r: NodeInfo
let c: NodeInfo
let cUrl: string
let aUrl: string

async function start(args: string[]): Promise<{ url: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pts-relay-'))
  dirs.push(dir)
  const d = await startDaemonProcess(dir, { args: ['--gc-period', '0', ...args] })
  daemons.push(d)
  return { url: d.url, dir }
}

/** node.json of `dir` once `ready` holds for it (the daemon rewrites it when its addresses change). */
async function nodeInfoWhen(dir: string, ready: (info: NodeInfo) => boolean): Promise<NodeInfo> {
  for (let i = 0; i < 600; i++) {
    const info = await readNodeInfo(dir)
    if (ready(info)) return info
    await new Promise((res) => setTimeout(res, 50))
  }
  throw new Error(`node.json in ${dir} never became ready: ${JSON.stringify(await readNodeInfo(dir))}`)
}

beforeAll(async () => {
  const relay = await start(['--relay'])
  r = await readNodeInfo(relay.dir)
  const hidden = await start(['--p2p-listen', 'none', '--relay-via', r.multiaddrs[0]])
  cUrl = hidden.url
  c = await nodeInfoWhen(hidden.dir, (info) => info.multiaddrs.length > 0)
  const circuit = c.multiaddrs.find((a) => a.includes('/p2p-circuit/'))!
  aUrl = (await start(['--bootstrap', circuit])).url
}, 120_000)

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.kill('SIGTERM')))
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

it('advertises only relayed addresses for a daemon that listens on nothing', () => {
  expect(r.relay).toBe(true)
  expect(c.multiaddrs.length).toBeGreaterThan(0)
  for (const a of c.multiaddrs) expect(a).toBe(`${r.multiaddrs[0]}/p2p-circuit/p2p/${c.peerId}`)
})

it("reaches the relayed daemon's API through A's gateway", async () => {
  const crypto = await createNodeCrypto()
  const cId = parsePeerId(c.id)
  const viaA = servicesVia({ url: aUrl, crypto }, cId)
  expect(cidToString(await viaA.storage.id())).toBe(c.id)
  const user = await RemoteUser.signUp(servicesVia({ url: cUrl, crypto }), uniqueName('relayed'))
  const chain = await viaA.coreNode.getChain(user.username)
  expect(chain.map((l) => cidToString(l.owner))).toEqual([cidToString(user.owner)])
  // A's own PKI does not know the user: the chain came from C through R.
  expect(await servicesVia({ url: aUrl, crypto }).coreNode.getChain(user.username)).toEqual([])
})
