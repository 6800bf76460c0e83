// What a conformance suite gets from the implementation under test (local, HTTP, proxied): the two
// storage services with a crypto provider, a way to make users known to the server, optional admin
// capabilities, and assertion helpers that check errors by name and by their Peergos text.
import { expect } from 'vitest'
import type { Bat } from '../../src/model/bat.ts'
import type { BatId } from '../../src/model/bat-id.ts'
import type { StorageBundle } from '../server/services/storage-fixtures.ts'

export interface ConformanceBundle extends StorageBundle {
  /** Limits the bytes a user may still write (tests of "Storage quota reached"); absent = not testable. */
  setQuota?(username: string, bytes: number): Promise<void>
  /** Stores a user's BAT in the server's BatCave (mirror BATs). */
  addMirrorBat?(username: string, id: BatId, bat: Bat): Promise<void>
  /**
   * The client sends a put in requests of at most MAX_BLOCK_SIZE bytes each (Peergos' HTTP bulkPut), so
   * the server's cap on one group applies per request and a larger put() succeeds (transport difference).
   */
  readonly clientSplitsPuts?: boolean
  close(): Promise<void>
}

export type BundleFactory = () => Promise<ConformanceBundle>

/** Awaits a rejection whose error name is one of `names` (and whose message matches `message`); returns it. */
export async function expectRejects(p: Promise<unknown>, names: readonly string[], message?: RegExp): Promise<Error> {
  let error: unknown
  try {
    await p
  } catch (e) {
    error = e
  }
  expect(error, `expected a rejection with ${names.join(' or ')}`).toBeInstanceOf(Error)
  const e = error as Error
  expect(names, `got ${e.name}: ${e.message}`).toContain(e.name)
  if (message !== undefined) expect(e.message).toMatch(message)
  return e
}

/** Size caps may be enforced by the transport before the service (HTTP 400/413) or by the service. */
export const SIZE_ERRORS = ['OversizedBlockError', 'BadRequestError', 'BodyTooLargeError'] as const
