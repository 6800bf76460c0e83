// The client trusts no server: a server (or a proxy in between) that serves an older, validly signed
// pointer is caught (PointerRollbackError); blocks that do not hash to their CID are refused, whether
// fragments, CHAMP paths or WriterData; a pointer not signed by its writer is refused. Nothing wrong
// is ever returned as file contents.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { NotFoundError, PointerRollbackError } from '../../src/client/errors.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { BlockHashMismatchError } from '../../src/codec/errors.ts'
import { InvalidSignatureError } from '../../src/crypto/errors.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const PASSWORD = 'a long and unusual password'
let env: TestDaemon
let honest: NetworkAccess
let user: UserContext

/** The honest services, with some calls replaced: what a hostile server or proxy could answer. */
function hostile(over: { getPointer?: NetworkAccess['pointers']['getPointer']; get?: NetworkAccess['storage']['get']; getChampLookup?: NetworkAccess['storage']['getChampLookup'] }): NetworkAccess {
  const storage = Object.assign(Object.create(honest.storage), {
    ...(over.get === undefined ? {} : { get: over.get }),
    ...(over.getChampLookup === undefined ? {} : { getChampLookup: over.getChampLookup }),
  })
  const pointers = Object.assign(Object.create(honest.pointers), over.getPointer === undefined ? {} : { getPointer: over.getPointer })
  return { ...honest, storage, pointers }
}

function flipped(b: Uint8Array): Uint8Array {
  const out = b.slice()
  out[out.length - 1] ^= 1
  return out
}

beforeAll(async () => {
  env = await startTestDaemon()
  honest = env.net
  user = await UserContext.signUp(honest, 'alice', PASSWORD)
  await user.fs.writeFile('/alice/big.bin', new Uint8Array(3 * 1024 * 1024).fill(9))
}, 120_000)
afterAll(async () => {
  await env?.close()
})

it('refuses a rolled-back pointer once it has seen a newer one', async () => {
  const writer = user.home.writer
  const old = await honest.pointers.getPointer(user.identity.publicKeyHash, writer)
  let serveOld = false
  const net = hostile({ getPointer: async (owner, w) => (serveOld && w.equals(writer) ? old : honest.pointers.getPointer(owner, w)) })
  const victim = await UserContext.signIn(net, 'alice', PASSWORD)
  await victim.fs.writeFile('/alice/new.txt', new TextEncoder().encode('newer'))
  expect((await victim.fs.list('/alice')).map((e) => e.name)).toContain('new.txt')
  serveOld = true
  await expect(victim.fs.list('/alice')).rejects.toThrow(PointerRollbackError)
}, 60_000)

it('refuses a pointer that its writer did not sign', async () => {
  const writer = user.home.writer
  const net = hostile({ getPointer: async (owner, w) => {
    const real = await honest.pointers.getPointer(owner, w)
    return w.equals(writer) && real !== undefined ? flipped(real) : real
  } })
  await expect(UserContext.signIn(net, 'alice', PASSWORD)).rejects.toThrow(InvalidSignatureError)
}, 60_000)

it('refuses fragments, CHAMP paths and WriterData that do not hash to their CID', async () => {
  const badFragments = hostile({ get: async (owner, cid, bat, auth) => {
    const real = await honest.storage.get(owner, cid, bat, auth)
    return real !== undefined && cid.code === 0x55 ? flipped(real) : real
  } })
  const reader = await UserContext.signIn(badFragments, 'alice', PASSWORD)
  await expect(reader.fs.readFileBytes('/alice/big.bin')).rejects.toThrow(BlockHashMismatchError)

  const badPaths = hostile({ getChampLookup: async (...args) => (await honest.storage.getChampLookup(...args)).map(flipped) })
  await expect(UserContext.signIn(badPaths, 'alice', PASSWORD)).rejects.toThrow(NotFoundError)

  const badWriterData = hostile({ get: async (owner, cid, bat, auth) => {
    const real = await honest.storage.get(owner, cid, bat, auth)
    return real !== undefined && cid.code === 0x71 ? flipped(real) : real
  } })
  await expect(UserContext.signIn(badWriterData, 'alice', PASSWORD)).rejects.toThrow(BlockHashMismatchError)
}, 60_000)
