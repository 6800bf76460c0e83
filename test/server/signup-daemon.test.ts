// The proof of signup: a fresh daemon, and over HTTP only, a new user signs up as a Peergos client
// does (one OpLog: identity owning the root writer, home directory, login data, mirror BAT; proof of
// work when the server asks), then signs in with the password alone and lists an empty home. A second
// signup of the name is refused; a signup with one badly signed block leaves nothing behind.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { signIn } from '../../src/client/sign-in.ts'
import { buildSignup, randomSignupKeys, signUp, submitSignup, type BuiltSignup } from '../../src/client/signup.ts'
import { FetchPoster } from '../../src/http/poster.ts'
import { httpNetworkServices, type HttpNetworkServices } from '../../src/http/clients/network.ts'
import type { OpLog } from '../../src/model/op-log.ts'
import { defaultLoginAlgorithm } from '../../src/model/secret-generation-algorithm.ts'
import { signTime } from '../../src/model/signed-time.ts'
import { randomSigningKeyPair, type SigningKeyPair } from '../../src/model/signing-keys.ts'
import { randomSymmetricKey } from '../../src/model/symmetric-key.ts'
import type { RequiredDifficulty } from '../../src/services/core-node.ts'
import { parseDaemonArgs } from '../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../src/server/daemon.ts'
import { createLogger } from '../../src/server/log.ts'

const PASSWORD = 'a long and unusual password'

let dir: string
let daemon: RunningDaemon
let net: HttpNetworkServices & { crypto: RunningDaemon['crypto'] }
/** Every difficulty the server asked for. */
let asked: number[]

// A fresh daemon for each test: its DifficultyGenerator lets the first signup through without work and
// asks for more after each one (about 2^19 hashes for the second, far more after a few).
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pts-signup-'))
  daemon = await startDaemon(parseDaemonArgs(['--dir', dir, '--port', '0', '--gc-period', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0']), createLogger('silent'))
  const http = httpNetworkServices(new FetchPoster(daemon.url))
  const coreNode = http.coreNode
  asked = []
  net = {
    crypto: daemon.crypto,
    ...http,
    coreNode: Object.assign(Object.create(coreNode), {
      signup: async (...args: Parameters<typeof coreNode.signup>): Promise<RequiredDifficulty | undefined> => {
        const r = await coreNode.signup(...args)
        if (r !== undefined) asked.push(r.difficulty)
        return r
      },
    }),
  }
}, 60_000)
afterEach(async () => {
  await daemon?.close()
  await rm(dir, { recursive: true, force: true })
})

/** A signup for `username` with random login secrets (no scrypt), as the client builds it. */
async function built(username: string): Promise<{ s: BuiltSignup; login: SigningKeyPair }> {
  const c = net.crypto
  const login = randomSigningKeyPair(c)
  const keys = randomSignupKeys(c, { login, loginRoot: randomSymmetricKey(c) }, defaultLoginAlgorithm(c))
  return { s: await buildSignup(c, { username, homeServer: await net.storage.id(), keys }), login }
}

it('signs a new user up over HTTP, then signs in with the password and lists an empty home', async () => {
  const s = await signUp(net, 'alice', PASSWORD)
  expect(await net.coreNode.getUsername(s.identity.publicKeyHash)).toBe('alice')
  const alice = await signIn(net, 'alice', PASSWORD)
  expect(alice.identity.toString()).toBe(s.identity.publicKeyHash.toString())
  expect(alice.entryPoints.entries).toHaveLength(1)
  const home = alice.entryPoints.entries[0]
  expect(home.ownerName).toBe('alice')
  const stat = await alice.reader.stat(home.pointer)
  expect([stat.name, stat.isDirectory]).toEqual(['alice', true])
  const special = (await alice.reader.list(home.pointer)).map((e) => [e.name, e.isDirectory, e.properties.isHidden])
  expect(special).toEqual([['shared', true, true], ['.transactions', true, true], ['.capabilitycache', true, true]])
  await expect(signIn(net, 'alice', 'not the password')).rejects.toThrow(/Incorrect username or password/)
}, 60_000)

it('refuses a second signup of a taken name, in the client and on the server', async () => {
  await submitSignup(net, (await built('alice')).s)
  await expect(signUp(net, 'alice', 'another password')).rejects.toThrow('User already exists!')
  const { s } = await built('alice')
  // A claim for an existing name is a chain update: refused by the merge, without asking for work.
  await expect(submitSignup(net, s)).rejects.toThrow(/User already exists: Invalid key change attempt!/)
  expect(asked).toEqual([])
  expect(await net.pointers.getPointer(s.identity.publicKeyHash, s.identity.publicKeyHash)).toBeUndefined()
  expect(await net.coreNode.getPublicKeyHash('alice')).not.toEqual(s.identity.publicKeyHash)
}, 60_000)

it('leaves nothing behind when one block of the OpLog is badly signed, then accepts the honest OpLog', async () => {
  const c = net.crypto
  const { s, login } = await built('dave')
  const i = s.opLog.operations.findLastIndex((op) => op.kind === 'block')
  const operations = s.opLog.operations.map((op, j) => {
    if (j !== i || op.kind !== 'block') return op
    const signature = op.write.signature.slice()
    signature[10] ^= 1
    return { kind: 'block' as const, write: { ...op.write, signature } }
  })
  const bad: OpLog = { ...s.opLog, operations }
  await expect(submitSignup(net, { ...s, opLog: bad })).rejects.toThrow(/signature/i)
  expect(await net.coreNode.getChain('dave')).toEqual([])
  await expect(net.account.getLoginData('dave', login.publicKey, signTime(c, login.secretKey))).rejects.toThrow(/Incorrect username or password/)
  expect(await net.pointers.getPointer(s.identity.publicKeyHash, s.identity.publicKeyHash)).toBeUndefined()
  expect(await net.pointers.getPointer(s.identity.publicKeyHash, s.rootWriter.publicKeyHash)).toBeUndefined()
  // The refused attempt counted as a signup: the honest one must now do the work the server asks for.
  await submitSignup(net, s)
  expect(asked.length).toBe(1)
  expect(asked[0]).toBeGreaterThan(0)
  expect(await net.account.getLoginData('dave', login.publicKey, signTime(c, login.secretKey))).toBeDefined()
}, 60_000)
