// The server's BatCave (reference §7.6; Peergos BatCaveHandler + JdbcBatCave): a user's mirror BATs,
// added and listed only with the user's identity signing the request path "peergos/v0/bats/<method>"
// with the current time (TimeLimited.isAllowed, 300 s window).
import { equalBytes } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { InvalidBatError, type Bat } from '../../model/bat.ts'
import { batWithId, isInlineBatId, sha256BatId, type BatId, type BatWithId } from '../../model/bat-id.ts'
import type { SigningKeyResolver } from '../../model/user-public-key-link.ts'
import type { BatCave } from '../../services/bat-cave.ts'
import type { ContentAddressedStorage } from '../../services/content-addressed-storage.ts'
import type { CoreNode } from '../../services/core-node.ts'
import type { BatStore } from '../db/bat-store.ts'
import { inlineKeyResolver, requireKey, storageKeyResolver } from './key-resolver.ts'
import { UnknownUserError } from './local-account.ts'
import { BATS_AUTH_WINDOW_SECONDS, verifySignedRequest, type Clock } from './signed-time.ts'

/** Constants.BATS_URL: the prefix of the signed request paths. */
export const BATS_PATH_PREFIX = 'peergos/v0/bats/'
export const ADD_BAT_PATH = `${BATS_PATH_PREFIX}addBat`
export const GET_USER_BATS_PATH = `${BATS_PATH_PREFIX}getUserBats`
/** A user keeps a mirror BAT (two during a rotation); more than this is refused. */
export const MAX_BATS_PER_USER = 10

export interface LocalBatCaveOptions {
  readonly crypto: CryptoProvider
  readonly bats: BatStore
  /** The PKI: requests are signed by `getPublicKeyHash(username)`. */
  readonly core: Pick<CoreNode, 'getPublicKeyHash'>
  /** For legacy (sha2-256) identity keys. */
  readonly storage?: Pick<ContentAddressedStorage, 'get'>
  readonly now?: Clock
}

/**
 * The BAT rule we add to Peergos': a stored (mirror) BAT's id must be BatId.sha256 of its secret, so
 * nobody can squat the id of a BAT they don't hold (ids are the table's primary key).
 */
export function checkMirrorBat(c: CryptoProvider, id: BatId, bat: Bat): void {
  if (isInlineBatId(id)) throw new InvalidBatError('Stored BATs cannot be inline.')
  if (!equalBytes(sha256BatId(c, bat).bytes, id.bytes)) throw new InvalidBatError('BatId is not the sha256 of the BAT')
}

export class LocalBatCave implements BatCave {
  private readonly c: CryptoProvider
  private readonly resolve: SigningKeyResolver
  private readonly now: Clock

  constructor(private readonly o: LocalBatCaveOptions) {
    this.c = o.crypto
    this.resolve = o.storage === undefined ? inlineKeyResolver() : storageKeyResolver(o.storage)
    this.now = o.now ?? Date.now
  }

  private async authorise(username: string, path: string, auth: Uint8Array): Promise<void> {
    const identity = await this.o.core.getPublicKeyHash(username)
    if (identity === undefined) throw new UnknownUserError(`Unknown username: ${username.slice(0, 64)}`)
    verifySignedRequest(this.c, auth, await requireKey(this.resolve, identity), path, BATS_AUTH_WINDOW_SECONDS, this.now())
  }

  async getUserBats(username: string, auth: Uint8Array): Promise<BatWithId[]> {
    await this.authorise(username, GET_USER_BATS_PATH, auth)
    return (await this.o.bats.list(username)).map((b) => batWithId(b.bat, b.id))
  }

  /** True when stored; false when that id is already stored (JdbcBatCave's failed insert). */
  async addBat(username: string, id: BatId, bat: Bat, auth: Uint8Array): Promise<boolean> {
    await this.authorise(username, ADD_BAT_PATH, auth)
    checkMirrorBat(this.c, id, bat)
    if ((await this.o.bats.list(username)).length >= MAX_BATS_PER_USER) throw new InvalidBatError(`Too many BATs for ${username}`)
    return this.o.bats.add(username, id, bat)
  }
}
