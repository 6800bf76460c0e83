// A signed-in user's social side (reference §1.4, §6.1-§6.4): follow requests (send, list, accept,
// reciprocate, reject), the social graph (followers, following, friends, groups, blocked), unfollow,
// remove a follower, read and write sharing with followers or groups and their revocation (key
// rotation; a new signing key for write access), read-only and writable secret links, who an item is
// shared with, moving and removing items with their sharing records, and the items shared with us,
// mounted at their paths in `ctx.fs`. Everything is stored
// in the user's own files in Peergos' formats, so a Peergos client using the same account sees the
// same state.
import type { LinkProperties } from '../../model/link-properties.ts'
import type { FileSharedWith } from '../../model/shared-with-state.ts'
import type { UserContext } from '../user-context.ts'
import { socialContextOf, type SocialContext } from './context.ts'
import { processFollowRequests, replyToFollowRequest, sendFollowRequest, type FollowReply } from './follow.ts'
import { receivedFollowRequests, type ReceivedFollowRequest } from './follow-requests.ts'
import { block, blockedUsers, following, unblock } from './friends.ts'
import { IncomingCaps, type SharedItem } from './incoming-caps.ts'
import { moveItem, removeItem } from './item-changes.ts'
import { removeFollower, type RemovedFollower } from './remove-follower.ts'
import { unshareReadAccessWith } from './revoke.ts'
import { unshareWriteAccessWith } from './write-revoke.ts'
import { acceptIdentityKey, identityKeyChange, markVerified, verifyIdentity, type IdentityVerification, type KeyChange } from './identity-verification.ts'
import { createSecretLink, deleteSecretLink, secretLinksOf, secretLinkUrl, type SecretLinkOptions } from './secret-links.ts'
import { sharedWith } from './shared-with.ts'
import { shareReadAccessWith, shareWriteAccessWith } from './sharing.ts'
import { followers, groups, pendingOutgoing, socialState, type SocialState } from './social-state.ts'

export type { FollowReply, IdentityVerification, KeyChange, LinkProperties, ReceivedFollowRequest, RemovedFollower, SecretLinkOptions, SharedItem, SocialState }

export class Social {
  private readonly x: SocialContext
  readonly incoming: IncomingCaps

  constructor(ctx: UserContext) {
    this.x = socialContextOf(ctx)
    this.incoming = new IncomingCaps(this.x)
  }

  // ---- follow requests ----

  /** Asks `target` to let us follow them (and to follow us back). False when `target` is ourselves. */
  sendFollowRequest(target: string): Promise<boolean> {
    return sendFollowRequest(this.x, target)
  }

  /** The raw decrypted requests on our server (replies to ours included), without processing them. */
  listFollowRequests(): Promise<ReceivedFollowRequest[]> {
    return receivedFollowRequests(this.x)
  }

  /**
   * processFollowRequests: applies replies to our requests (we then follow those who accepted, and
   * read what they share) and returns the requests awaiting our answer.
   */
  async followRequests(): Promise<ReceivedFollowRequest[]> {
    const r = await processFollowRequests(this.x, this.incoming)
    await r.removals
    return r.incoming
  }

  /** Answers a request: accept (they may follow us), reciprocate (we follow them), both, or neither (reject). */
  async reply(request: ReceivedFollowRequest, reply: FollowReply): Promise<void> {
    await replyToFollowRequest(this.x, request, reply, this.incoming)
  }

  accept(request: ReceivedFollowRequest): Promise<void> {
    return this.reply(request, { accept: true, reciprocate: true })
  }

  reject(request: ReceivedFollowRequest): Promise<void> {
    return this.reply(request, { accept: false, reciprocate: false })
  }

  // ---- the social graph ----

  /** getSocialState, without processing requests (call followRequests() for those). */
  socialState(): Promise<SocialState> {
    return socialState(this.x)
  }

  followers(): Promise<string[]> {
    return followers(this.x)
  }

  following(): Promise<string[]> {
    return following(this.x)
  }

  async friends(): Promise<string[]> {
    const f = new Set(await followers(this.x))
    return (await following(this.x)).filter((n) => f.has(n))
  }

  async pendingOutgoing(): Promise<string[]> {
    return [...(await pendingOutgoing(this.x)).pendingOutgoing].sort()
  }

  blocked(): Promise<string[]> {
    return blockedUsers(this.x)
  }

  /** Group uid → name ("friends", "followers"); made on first use. */
  async groups(): Promise<ReadonlyMap<string, string>> {
    return (await groups(this.x)).uidToGroupName
  }

  /** Stops following `name`: they are blocked, and what they shared is unmounted. */
  async unfollow(name: string): Promise<void> {
    await block(this.x, name)
    await this.incoming.mountAll()
  }

  async unblock(name: string): Promise<void> {
    await unblock(this.x, name)
    await this.incoming.refresh()
  }

  /**
   * Removes a follower: they leave our groups, the keys of everything they could read (group folders
   * and items shared with their groups or with them) are rotated and re-shared with those who keep
   * access, and their sharing folder is deleted (see remove-follower.ts).
   */
  removeFollower(name: string): Promise<RemovedFollower> {
    return removeFollower(this.x, name)
  }

  // ---- sharing ----

  /** Shares an item read-only with followers (by name) or groups (by uid). */
  shareReadAccessWith(path: string, readers: readonly string[]): Promise<void> {
    return shareReadAccessWith(this.x, path, readers)
  }

  /** Grants write access: the item moves to its own writing space, whose write capability the writers receive. */
  shareWriteAccessWith(path: string, writers: readonly string[]): Promise<void> {
    return shareWriteAccessWith(this.x, path, writers)
  }

  async shareReadAccessWithFriends(path: string): Promise<void> {
    await shareReadAccessWith(this.x, path, [(await socialState(this.x)).friendsGroupUid])
  }

  async shareReadAccessWithFollowers(path: string): Promise<void> {
    await shareReadAccessWith(this.x, path, [(await socialState(this.x)).followersGroupUid])
  }

  /**
   * Revokes read access of users or groups (by uid) to an item: its keys are rotated (capabilities
   * held before find nothing) and everyone else it is shared with gets the new capability.
   */
  unshareReadAccessWith(path: string, readers: readonly string[]): Promise<void> {
    return unshareReadAccessWith(this.x, path, readers)
  }

  /**
   * Revokes write access of users or groups (by uid) to an item: it moves to a new signing key and the
   * old one is de-authorised (the server refuses it from then on); the remaining writers, readers and
   * secret links get the new capabilities. A revoked writer keeps reading only if also shared for reading.
   */
  unshareWriteAccessWith(path: string, writers: readonly string[]): Promise<void> {
    return unshareWriteAccessWith(this.x, path, writers)
  }

  // ---- identity verification ----

  /**
   * The safety number of `name` and us (compare it with theirs), from their identity key as first seen
   * (IdentityKeyChangedError when the PKI now names another), and whether we marked them verified.
   */
  verifyIdentity(name: string): Promise<IdentityVerification> {
    return verifyIdentity(this.x, name)
  }

  /** Records that we compared safety numbers with `name` (for the keys `v` was made from). */
  markVerified(v: IdentityVerification, verified = true): Promise<void> {
    return markVerified(this.x, v.username, v.keys, verified)
  }

  /** How `name`'s identity key changed since we first saw it, if it did. */
  identityKeyChange(name: string): Promise<KeyChange | undefined> {
    return identityKeyChange(this.x, name)
  }

  /** Trusts the identity key the PKI names now for `name` (after comparing safety numbers). */
  async acceptIdentityKey(name: string): Promise<void> {
    await acceptIdentityKey(this.x, name)
  }

  // ---- secret links ----

  /** A secret link to an item (read-only or `writable`; optional extra password, expiry and maximum of uses). */
  createSecretLink(path: string, o: SecretLinkOptions = {}): Promise<LinkProperties> {
    return createSecretLink(this.x, path, o)
  }

  /** The secret links of an item. */
  secretLinks(path: string): Promise<readonly LinkProperties[]> {
    return secretLinksOf(this.x, path)
  }

  /** Revokes a secret link: the server no longer hands it out (and a writable one's writing key is replaced). False when it was not published. */
  deleteSecretLink(path: string, label: number): Promise<boolean> {
    return deleteSecretLink(this.x, path, label)
  }

  /** The URL of a link of ours on `server` (`<server>/secret/z<owner>/<label>#<password>`). */
  secretLinkUrl(server: string, link: LinkProperties): string {
    return secretLinkUrl(server, this.x.identity.publicKeyHash, link)
  }

  /**
   * Moves or renames an item of ours (into `to` when it is a folder), as fs.move, and its sharing
   * records with it: inside one writing space readers keep access and links keep opening; into another
   * (a copy under new keys) its links are revoked and the copy is shared with no one. Returns the new path.
   */
  move(from: string, to: string): Promise<string> {
    return moveItem(this.x, from, to)
  }

  /** Removes an item of ours, as fs.remove, revoking its secret links (and those below it) and dropping its sharing records. */
  remove(path: string): Promise<void> {
    return removeItem(this.x, path)
  }

  /** Who an item of ours is shared with (users and group uids), and its secret links. */
  sharedWith(path: string): Promise<FileSharedWith> {
    return sharedWith(this.x, path)
  }

  /** Reads what the users we follow shared since last time and mounts every item shared with us at its path. */
  refreshShared(): Promise<SharedItem[]> {
    return this.incoming.refresh()
  }

  /** Mounts what the capability cache already holds (no reading of friends' sharing files). */
  mountShared(): Promise<SharedItem[]> {
    return this.incoming.mountAll()
  }
}

const socials = new WeakMap<UserContext, Social>()

/** The Social of a signed-in user (one per UserContext). */
export function socialOf(ctx: UserContext): Social {
  let s = socials.get(ctx)
  if (s === undefined) socials.set(ctx, (s = new Social(ctx)))
  return s
}

/** fs.move with the item's sharing records following it (a legacy account without a boxer has none). */
export async function moveWithRecords(ctx: UserContext, from: string, to: string): Promise<void> {
  if (ctx.entryPoints.boxer === undefined) await ctx.fs.move(from, to)
  else await socialOf(ctx).move(from, to)
}

/** fs.remove with the item's secret links and sharing records going too (a legacy account has none). */
export async function removeWithRecords(ctx: UserContext, path: string): Promise<void> {
  if (ctx.entryPoints.boxer === undefined) await ctx.fs.remove(path)
  else await socialOf(ctx).remove(path)
}
