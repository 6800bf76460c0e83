// The per-owner services routed to the owner's home server (reference §7.1; Peergos
// ProxyingMutablePointers, ProxyingSocialNetwork, ProxyingAccount, ProxyingBatCave, ProxyingSpaceUsage):
// each method is served by the local implementation when the owner (or username) lives here, else by
// the same call on the home server over p2p. Writes for a user who lives elsewhere that arrive over
// p2p are refused (home-router.ts).
import type { Bat } from '../../../model/bat.ts'
import type { BatId, BatWithId } from '../../../model/bat-id.ts'
import type { BackupCodes } from '../../../model/backup-codes.ts'
import type { LoginData } from '../../../model/login-data.ts'
import type { MultiFactorAuthMethod } from '../../../model/mfa.ts'
import type { SignedPointerUpdate } from '../../../model/multi-writer-commit.ts'
import type { PublicKeyHash } from '../../../model/signing-keys.ts'
import type { TotpKey } from '../../../model/totp-key.ts'
import type { UserStaticData } from '../../../model/user-static-data.ts'
import type { Account } from '../../../services/account.ts'
import type { BatCave } from '../../../services/bat-cave.ts'
import type { MutablePointers } from '../../../services/mutable-pointers.ts'
import type { SocialNetwork } from '../../../services/social-network.ts'
import type { SpaceUsage } from '../../../services/space-usage.ts'
import type { HomeRouter, RouteMode } from './home-router.ts'

export class RoutingMutablePointers implements MutablePointers {
  constructor(private readonly local: MutablePointers, private readonly router: HomeRouter, private readonly mode: RouteMode) {}

  setPointer(owner: PublicKeyHash, writer: PublicKeyHash, signedUpdate: Uint8Array): Promise<boolean> {
    return this.router.byOwner(owner, this.mode, true, () => this.local.setPointer(owner, writer, signedUpdate), (s) => s.pointers.setPointer(owner, writer, signedUpdate))
  }

  setPointers(owner: PublicKeyHash, updates: SignedPointerUpdate[]): Promise<boolean> {
    return this.router.byOwner(owner, this.mode, true, () => this.local.setPointers(owner, updates), (s) => s.pointers.setPointers(owner, updates))
  }

  getPointer(owner: PublicKeyHash, writer: PublicKeyHash): Promise<Uint8Array | undefined> {
    return this.router.byOwner(owner, this.mode, false, () => this.local.getPointer(owner, writer), (s) => s.pointers.getPointer(owner, writer))
  }
}

export class RoutingSocialNetwork implements SocialNetwork {
  constructor(private readonly local: SocialNetwork, private readonly router: HomeRouter, private readonly mode: RouteMode) {}

  sendFollowRequest(target: PublicKeyHash, blindRequest: Uint8Array): Promise<boolean> {
    return this.router.byOwner(target, this.mode, true, () => this.local.sendFollowRequest(target, blindRequest), (s) => s.social.sendFollowRequest(target, blindRequest))
  }

  getFollowRequests(owner: PublicKeyHash, signedTime: Uint8Array): Promise<Uint8Array> {
    return this.router.byOwner(owner, this.mode, false, () => this.local.getFollowRequests(owner, signedTime), (s) => s.social.getFollowRequests(owner, signedTime))
  }

  removeFollowRequest(owner: PublicKeyHash, signedRequest: Uint8Array): Promise<boolean> {
    return this.router.byOwner(owner, this.mode, true, () => this.local.removeFollowRequest(owner, signedRequest), (s) => s.social.removeFollowRequest(owner, signedRequest))
  }
}

export class RoutingAccount implements Account {
  constructor(private readonly local: Account, private readonly router: HomeRouter, private readonly mode: RouteMode) {}

  setLoginData(login: LoginData, auth: Uint8Array, forceLocal: boolean): Promise<boolean> {
    if (forceLocal) return this.local.setLoginData(login, auth, true)
    return this.router.byUser(login.username, this.mode, true, () => this.local.setLoginData(login, auth, false), (s) => s.account.setLoginData(login, auth, false))
  }

  getLoginData(username: string, authorisedReader: Uint8Array, auth: Uint8Array, mfa?: Uint8Array): Promise<UserStaticData> {
    return this.router.byUser(username, this.mode, false,
      () => this.local.getLoginData(username, authorisedReader, auth, mfa),
      (s) => s.account.getLoginData(username, authorisedReader, auth, mfa))
  }

  getSecondAuthMethods(username: string, auth: Uint8Array): Promise<MultiFactorAuthMethod[]> {
    return this.router.byUser(username, this.mode, false, () => this.local.getSecondAuthMethods(username, auth), (s) => s.account.getSecondAuthMethods(username, auth))
  }

  addTotpFactor(username: string, auth: Uint8Array): Promise<TotpKey> {
    return this.router.byUser(username, this.mode, true, () => this.local.addTotpFactor(username, auth), (s) => s.account.addTotpFactor(username, auth))
  }

  enableTotpFactor(username: string, credentialId: Uint8Array, code: string, auth: Uint8Array): Promise<boolean> {
    return this.router.byUser(username, this.mode, true,
      () => this.local.enableTotpFactor(username, credentialId, code, auth),
      (s) => s.account.enableTotpFactor(username, credentialId, code, auth))
  }

  generateBackupCodes(username: string, auth: Uint8Array): Promise<BackupCodes> {
    return this.router.byUser(username, this.mode, true, () => this.local.generateBackupCodes(username, auth), (s) => s.account.generateBackupCodes(username, auth))
  }

  deleteSecondFactor(username: string, credentialId: Uint8Array, auth: Uint8Array): Promise<boolean> {
    return this.router.byUser(username, this.mode, true,
      () => this.local.deleteSecondFactor(username, credentialId, auth),
      (s) => s.account.deleteSecondFactor(username, credentialId, auth))
  }
}

export class RoutingBatCave implements BatCave {
  constructor(private readonly local: BatCave, private readonly router: HomeRouter, private readonly mode: RouteMode) {}

  getUserBats(username: string, auth: Uint8Array): Promise<BatWithId[]> {
    return this.router.byUser(username, this.mode, false, () => this.local.getUserBats(username, auth), (s) => s.batCave.getUserBats(username, auth))
  }

  addBat(username: string, id: BatId, bat: Bat, auth: Uint8Array): Promise<boolean> {
    return this.router.byUser(username, this.mode, true, () => this.local.addBat(username, id, bat, auth), (s) => s.batCave.addBat(username, id, bat, auth))
  }
}

export class RoutingSpaceUsage implements SpaceUsage {
  constructor(private readonly local: SpaceUsage, private readonly router: HomeRouter, private readonly mode: RouteMode) {}

  /** `local` asks for this server's own count (Peergos ProxyingSpaceUsage: never forwarded). */
  getUsage(owner: PublicKeyHash, signedTime: Uint8Array, local: boolean): Promise<number> {
    if (local) return this.local.getUsage(owner, signedTime, true)
    return this.router.byOwner(owner, this.mode, false, () => this.local.getUsage(owner, signedTime, false), (s) => s.spaceUsage.getUsage(owner, signedTime, false))
  }

  getQuota(owner: PublicKeyHash, signedTime: Uint8Array): Promise<number> {
    return this.router.byOwner(owner, this.mode, false, () => this.local.getQuota(owner, signedTime), (s) => s.spaceUsage.getQuota(owner, signedTime))
  }
}
