// The social part of the page ↔ client worker protocol (implemented in worker/social-methods.ts):
// follow requests and the social graph, sharing an item with users and groups and revoking it, secret
// links (made, listed, revoked, and opened without an account), items others shared with us, and
// safety numbers. Everything here is plain data: names, paths and link URLs, never keys.
import type { Entry, TransferProgress } from './rpc-protocol.ts'

/** A follow request waiting for our answer. */
export interface IncomingRequest {
  readonly from: string
  /** They also ask us to follow them. */
  readonly followBack: boolean
}

/** A group of ours that items can be shared with. */
export interface SocialGroup {
  /** The group's uid (".<64 hex>"), what share and unshare take. */
  readonly uid: string
  /** "friends" or "followers". */
  readonly name: string
}

/** Everything the people screen shows, after replies to our requests were applied. */
export interface SocialOverview {
  readonly incoming: readonly IncomingRequest[]
  readonly friends: readonly string[]
  readonly followers: readonly string[]
  readonly following: readonly string[]
  /** Our requests still unanswered. */
  readonly pendingOutgoing: readonly string[]
  readonly blocked: readonly string[]
  readonly groups: readonly SocialGroup[]
}

/** Someone an item is shared with: a user, or one of our groups. */
export interface Grantee {
  /** A username, or a group uid. */
  readonly id: string
  /** What the page shows: the username, or "friends group". */
  readonly label: string
  readonly isGroup: boolean
}

/** A secret link of an item of ours, as the owner sees it. */
export interface SecretLinkInfo {
  /** The full URL, password fragment included (it never reaches a server). */
  readonly url: string
  readonly label: number
  /** Epoch milliseconds. */
  readonly expires?: number
  readonly maxUses?: number
  /** It asks for an extra password, which is not part of the URL. */
  readonly hasPassword: boolean
  readonly writable: boolean
}

export interface ItemSharing {
  readonly path: string
  readonly read: readonly Grantee[]
  readonly write: readonly Grantee[]
  readonly links: readonly SecretLinkInfo[]
}

export interface NewLinkOptions {
  readonly writable?: boolean
  /** Epoch milliseconds. */
  readonly expires?: number
  readonly maxUses?: number
  /** An extra password; empty or absent for none. */
  readonly password?: string
}

/** An item another user shared with us, mounted at its path (/<owner>/...). */
export interface SharedWithMe extends Entry {
  readonly owner: string
  /** Who shared it with us. */
  readonly sharers: readonly string[]
}

/** A friend's safety number, or the warning that their identity key changed since we first saw it. */
export type SafetyNumber =
  | {
    readonly kind: 'number'
    readonly username: string
    /** 60 digits, both users see the same. */
    readonly digits: string
    /** The digits in twelve groups of five. */
    readonly groups: readonly string[]
    readonly verified: boolean
    /** We verified them before, with keys they no longer have. */
    readonly verifiedWithOtherKeys: boolean
  }
  | {
    readonly kind: 'key-changed'
    readonly username: string
    /** The server's explanation (which key was first seen, whether the old key signed the change). */
    readonly message: string
    readonly signedByPrevious: boolean
  }

/** What a secret link opened without an account gives the page. */
export interface OpenedLink {
  /** The item's path in its owner's drive (/<owner>/...). */
  readonly path: string
  readonly entry: Entry
  readonly writable: boolean
}

/** The one progress event of openLink: the link has an extra password; answer with linkPassword. */
export interface LinkPasswordNeeded {
  readonly needsPassword: true
}

export interface SocialApi {
  socialOverview: { params: Record<string, never>; result: SocialOverview; progress: never }
  sendFollowRequest: { params: { username: string }; result: void; progress: never }
  /** accept: they may follow us; followBack: we follow them too. Neither: reject. */
  answerFollowRequest: { params: { from: string; accept: boolean; followBack: boolean }; result: void; progress: never }
  unfollow: { params: { username: string }; result: void; progress: never }
  /** Returns the paths whose keys were rotated. */
  removeFollower: { params: { username: string }; result: { rotated: readonly string[]; notRevoked: readonly string[] }; progress: never }

  itemSharing: { params: { path: string }; result: ItemSharing; progress: never }
  /** grantees: usernames and group uids (write access: usernames only). */
  share: { params: { path: string; grantees: readonly string[]; write: boolean }; result: void; progress: never }
  unshare: { params: { path: string; grantees: readonly string[]; write: boolean }; result: void; progress: never }
  createLink: { params: { path: string; options: NewLinkOptions }; result: SecretLinkInfo; progress: never }
  deleteLink: { params: { path: string; label: number }; result: void; progress: never }

  /** Reads what our friends shared since last time; the items we can still read. */
  sharedWithMe: { params: Record<string, never>; result: SharedWithMe[]; progress: never }

  safetyNumber: { params: { username: string }; result: SafetyNumber; progress: never }
  markVerified: { params: { username: string; verified: boolean }; result: void; progress: never }
  /** Trusts the identity key the server names now (after comparing safety numbers). */
  acceptIdentityKey: { params: { username: string }; result: void; progress: never }

  /** Opens a secret link (no account needed); it may ask for the extra password through a progress event. */
  openLink: { params: { link: string }; result: OpenedLink; progress: LinkPasswordNeeded }
  /** The extra password a running openLink asked for. */
  linkPassword: { params: { password: string }; result: void; progress: never }
  /** A folder inside the opened link (its path, or a path below it). */
  linkList: { params: { path: string }; result: Entry[]; progress: never }
  /** Uploads a File into a folder of the opened link (a writable link only). */
  linkUpload: { params: { dir: string; file: File }; result: Entry; progress: TransferProgress }
  /** Feeds a file of the opened link into `port` (see shared/download-port.ts). */
  linkDownload: { params: { path: string; port: MessagePort }; result: void; progress: never }
}
