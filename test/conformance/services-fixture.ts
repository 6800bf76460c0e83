// What the account, social, BAT and PKI conformance suites run against: one server's services
// (local, or later over HTTP / p2p), fresh for every test, plus a helper asserting refusals by
// Peergos' message and, where the transport keeps them, by error class name.
import { expect } from 'vitest'
import type { CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import type { Account } from '../../src/services/account.ts'
import type { BatCave } from '../../src/services/bat-cave.ts'
import type { CoreNode } from '../../src/services/core-node.ts'
import type { MutablePointers } from '../../src/services/mutable-pointers.ts'
import type { SocialNetwork } from '../../src/services/social-network.ts'

export interface ServicesFixture {
  readonly crypto: CryptoProvider
  /** The server's id: signups name it as home server. */
  readonly serverId: CID
  readonly coreNode: CoreNode
  readonly account: Account
  readonly social: SocialNetwork
  readonly batCave: BatCave
  readonly pointers: MutablePointers
  /** True when errors arrive as our named classes (local); false when only Peergos' message survives. */
  readonly typedErrors: boolean
  close(): Promise<void>
}

export type ServicesFactory = () => Promise<ServicesFixture>

/** Asserts a refusal: the message matches, and the class name too when the fixture keeps names. */
export async function expectRefused(f: ServicesFixture, p: Promise<unknown>, message: RegExp, name?: string | readonly string[]): Promise<void> {
  let error: unknown
  try {
    await p
  } catch (e) {
    error = e
  }
  expect(error, `expected a refusal matching ${message}`).toBeInstanceOf(Error)
  expect((error as Error).message).toMatch(message)
  if (f.typedErrors && name !== undefined) expect(typeof name === 'string' ? [name] : name).toContain((error as Error).name)
}
