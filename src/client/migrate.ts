// A user moving to another home server (reference §4.4; Peergos Migrate.buildMigrationChain and Main
// `migrate`): signed in through the new server, the user re-signs their last claim naming it (one
// day later expiry, same identity), and asks it to migrateUser with their mirror BAT and current usage;
// the new server copies everything from the old one and has the PKI updated. Identity, files, links
// and friends are unchanged; only the home server moves.
import { equalBytes, type CID } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { buildClaim } from '../model/claim.ts'
import { fromEpochDay, toEpochDay } from '../model/local-date.ts'
import { signRequest, signTime } from '../model/signed-time.ts'
import type { SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import { chainHomeServer, type UserPublicKeyLink } from '../model/user-public-key-link.ts'
import { MigrationError } from '../services/errors.ts'
import type { NetworkAccess } from '../services/network-access.ts'

/** Constants.BATS_URL + "getUserBats": the signed request that reads the user's mirror BATs. */
const GET_USER_BATS_REQUEST = 'peergos/v0/bats/getUserBats'
/** LocalDateTime.MIN in epoch seconds, as Peergos' `migrate` sends it: every link count. */
export const ALL_LINK_COUNTS = -31557014167219200

function sameServer(a: CID, b: CID): boolean {
  return equalBytes(a.multihash.bytes, b.multihash.bytes)
}

/** Migrate.buildMigrationChain: the last claim re-signed for `newStorageId`, its expiry a day later. */
export function buildMigrationChain(c: CryptoProvider, existing: readonly UserPublicKeyLink[], newStorageId: CID, signer: SigningPrivateKeyAndPublicHash): UserPublicKeyLink[] {
  const last = existing[existing.length - 1]
  if (last === undefined) throw new MigrationError('No claim to migrate')
  const claim = buildClaim(c, last.claim.username, signer.secretKey, fromEpochDay(toEpochDay(last.claim.expiry) + 1), [newStorageId])
  return [...existing.slice(0, -1), { ...last, claim }]
}

/** What a signed-in user brings: the network of the new server, their name and identity key. */
export interface MigratingUser {
  readonly net: NetworkAccess
  readonly username: string
  readonly identity: SigningPrivateKeyAndPublicHash
}

/** The new server when the user is signed in through another one (e.g. reached through a /p2p/ proxy). */
export type MigrationTarget = Pick<NetworkAccess, 'storage' | 'coreNode'>

/**
 * Moves `user` to the server `user.net` talks to (Peergos Main.migrate), or to `to` when given;
 * resolves once the PKI names it as their home. Throws MigrationError when the user already lives
 * there or the PKI did not change.
 */
export async function migrateToServer(user: MigratingUser, to: MigrationTarget = user.net): Promise<CID> {
  const { net, username, identity } = user
  const c = net.crypto
  if (to.coreNode.migrateUser === undefined) throw new MigrationError('This server cannot migrate users')
  const existing = await net.coreNode.getChain(username)
  const current = chainHomeServer(existing)
  const target = await to.storage.id()
  if (current === undefined) throw new MigrationError(`${username} has no home server`)
  if (sameServer(current, target)) throw new MigrationError('You are trying to migrate a user to their current server. Please supply the url of a different server.')
  const chain = buildMigrationChain(c, existing, target, identity)
  const bats = await net.batCave.getUserBats(username, signRequest(c, identity.secretKey, GET_USER_BATS_REQUEST))
  const mirrorBat = bats[bats.length - 1]
  const usage = await net.spaceUsage.getUsage(identity.publicKeyHash, signTime(c, identity.secretKey), false)
  await to.coreNode.migrateUser(username, chain, current, mirrorBat, ALL_LINK_COUNTS, usage, true)
  const home = chainHomeServer(await to.coreNode.getChain(username))
  if (home === undefined || !sameServer(home, target)) throw new MigrationError('Migration failed. Please try again later')
  return home
}
