// The client worker's social methods (shared/social-protocol.ts), over the client library's Social
// (socialOf(user)): follow requests and the social graph, sharing and revoking an item, secret links,
// what others shared with us, safety numbers; and a secret link opened without an account, kept here
// (one at a time) so the page can list its folders and download its files.
import { NotFoundError } from '../../client/errors.ts'
import type { FileInfo } from '../../client/file-system.ts'
import { IdentityKeyChangedError } from '../../client/social/errors.ts'
import { openSecretLink, type OpenedSecretLink } from '../../client/social/open-secret-link.ts'
import { socialOf, type LinkProperties, type Social } from '../../client/social/social.ts'
import type { TreeEntry } from '../../client/tree-reader.ts'
import { PeergosError } from '../../errors.ts'
import { timestampToMillis } from '../../model/file-properties.ts'
import type { Entry } from '../shared/rpc-protocol.ts'
import type { Grantee, SecretLinkInfo, SocialApi } from '../shared/social-protocol.ts'
import { feedPort, fileChunks } from './file-streams.ts'
import type { Method } from './methods.ts'
import { currentUser, networkAt } from './session.ts'

export type SocialMethodTable = { [M in keyof SocialApi]: Method<M> }

/** A path that is not inside the opened secret link. */
export class OutsideLinkError extends PeergosError {}

/** A link call before any secret link was opened. */
export class NoOpenLinkError extends PeergosError {}

/** A change through a view-only secret link. */
export class ReadOnlyLinkError extends PeergosError {}

/** The page's origin and base path: the worker's script lives in <base>assets/. */
function apiBase(): string {
  return new URL('..', self.location.href).href
}

function social(): Social {
  return socialOf(currentUser())
}

function linkInfo(s: Social, p: LinkProperties): SecretLinkInfo {
  return {
    url: s.secretLinkUrl(apiBase(), p), label: p.label, hasPassword: p.userPassword !== '', writable: p.isLinkWritable,
    ...(p.expiry === undefined ? {} : { expires: p.expiry * 1000 }),
    ...(p.maxRetrievals === undefined ? {} : { maxUses: p.maxRetrievals }),
  }
}

async function granteesOf(s: Social, ids: readonly string[]): Promise<Grantee[]> {
  const groups = ids.some((r) => r.startsWith('.')) ? await s.groups() : new Map<string, string>()
  return ids.map((id) => (groups.has(id) ? { id, label: `${groups.get(id)} group`, isGroup: true } : { id, label: id, isGroup: false }))
}

function entryOf(f: FileInfo): Entry {
  return { name: f.name, path: f.path, isDirectory: f.isDirectory, isHidden: f.isHidden, size: f.size, mimeType: f.mimeType, modified: f.modified }
}

function treeEntry(e: TreeEntry, path: string): Entry {
  const p = e.properties
  return { name: e.name, path, isDirectory: e.isDirectory, isHidden: p.isHidden, size: p.size, mimeType: p.mimeType, modified: timestampToMillis(p.modified) }
}

/**
 * The drive's listing of a folder above items others shared with us (/<owner>, or /<owner>/a when
 * /<owner>/a/b is shared), which we cannot read itself: the next folder down towards each item, or
 * the item. Undefined for any other path (our own, or one inside a shared item).
 */
export async function sharedAncestorListing(path: string): Promise<Entry[] | undefined> {
  const user = currentUser()
  const dir = path.replace(/\/+$/, '')
  const owner = dir.split('/')[1]
  if (owner === undefined || owner === '' || owner === user.username) return undefined
  if (user.fs.mounted().length === 0) await socialOf(user).mountShared()
  // group folders (hidden, under /<owner>/shared) hold shares; they are not items
  const mounts = user.fs.mounted().map(([p]) => p).filter((p) => !p.split('/').some((n) => n.startsWith('.')))
  if (mounts.some((m) => dir === m || dir.startsWith(m + '/'))) return undefined
  const next = [...new Set(mounts.filter((m) => m.startsWith(dir + '/')).map((m) => `${dir}/${m.slice(dir.length + 1).split('/')[0]}`))]
  if (next.length === 0) return undefined
  const entries = await Promise.all(next.map(async (p): Promise<Entry | undefined> => {
    if (!mounts.includes(p)) return { name: p.slice(p.lastIndexOf('/') + 1), path: p, isDirectory: true, isHidden: false, size: 0, mimeType: '', modified: 0 }
    try {
      return entryOf(await user.fs.stat(p))
    } catch (e) {
      if (e instanceof PeergosError) return undefined // revoked
      throw e
    }
  }))
  return entries.filter((e) => e !== undefined)
}

// ---- a secret link opened without an account ----

let opened: OpenedSecretLink | undefined
let passwordWaiter: ((password: string) => void) | undefined

/** The entry at `path`, the opened item or a path below it, found by listing each folder on the way. */
async function linkEntry(path: string): Promise<TreeEntry> {
  if (opened === undefined) throw new NoOpenLinkError('No secret link is open')
  const root = opened.path
  if (path === root) return opened.entry
  if (!path.startsWith(root + '/')) throw new OutsideLinkError(`${path} is not inside the secret link's ${root}`)
  let entry = opened.entry
  for (const name of path.slice(root.length + 1).split('/')) {
    if (!entry.isDirectory) throw new NotFoundError(`${path}: not found`)
    const next = (await opened.reader.list(entry.cap)).find((e) => e.name === name)
    if (next === undefined) throw new NotFoundError(`${path}: not found`)
    entry = next.isLink ? await opened.reader.stat(await opened.reader.linkTarget(next.cap), next.name) : next
  }
  return entry
}

export const socialMethods: SocialMethodTable = {
  async socialOverview() {
    const s = social()
    const requests = await s.followRequests() // applies the replies to ours first
    const state = await s.socialState()
    return {
      incoming: requests.map((r) => ({ from: r.from, followBack: r.request.key !== undefined })),
      friends: state.friends, followers: state.followers, following: state.following,
      pendingOutgoing: state.pendingOutgoing, blocked: state.blocked,
      groups: [...state.groups].map(([uid, name]) => ({ uid, name })),
    }
  },

  async sendFollowRequest({ username }) {
    if (!(await social().sendFollowRequest(username))) throw new PeergosError('You cannot follow yourself.')
  },

  async answerFollowRequest({ from, accept, followBack }) {
    const s = social()
    const request = (await s.followRequests()).find((r) => r.from === from)
    if (request === undefined) throw new NotFoundError(`No follow request from ${from} is waiting (it may have been answered already).`)
    await s.reply(request, { accept, reciprocate: followBack })
  },

  async unfollow({ username }) {
    await social().unfollow(username)
  },

  async removeFollower({ username }) {
    const r = await social().removeFollower(username)
    return { rotated: r.rotated, notRevoked: r.notRevoked }
  },

  async itemSharing({ path }) {
    const s = social()
    const shared = await s.sharedWith(path)
    return { path, read: await granteesOf(s, shared.read), write: await granteesOf(s, shared.write), links: shared.links.map((l) => linkInfo(s, l)) }
  },

  async share({ path, grantees, write }) {
    if (write) await social().shareWriteAccessWith(path, grantees)
    else await social().shareReadAccessWith(path, grantees)
  },

  async unshare({ path, grantees, write }) {
    if (write) await social().unshareWriteAccessWith(path, grantees)
    else await social().unshareReadAccessWith(path, grantees)
  },

  async createLink({ path, options }) {
    const s = social()
    const props = await s.createSecretLink(path, {
      writable: options.writable === true,
      expiry: options.expires === undefined ? undefined : new Date(options.expires),
      maxRetrievals: options.maxUses,
      userPassword: options.password === '' ? undefined : options.password,
    })
    return linkInfo(s, props)
  },

  async deleteLink({ path, label }) {
    await social().deleteSecretLink(path, label)
  },

  async sharedWithMe() {
    const user = currentUser()
    const items = await socialOf(user).refreshShared()
    const out = await Promise.all(items.map(async (item) => {
      try {
        const info = await user.fs.stat(item.path)
        // the hidden ones are the sharing folders of their groups (friends, followers), not items
        return info.isHidden ? undefined : { ...entryOf(info), owner: item.path.split('/')[1], sharers: item.sharers }
      } catch (e) {
        // a revoked item: its capability finds nothing any more
        if (e instanceof PeergosError) return undefined
        throw e
      }
    }))
    return out.filter((e) => e !== undefined).sort((a, b) => a.path.localeCompare(b.path))
  },

  async safetyNumber({ username }) {
    const s = social()
    try {
      const v = await s.verifyIdentity(username)
      return { kind: 'number', username, digits: v.safetyNumber, groups: v.safetyNumber.match(/.{1,5}/g) ?? [], verified: v.verified, verifiedWithOtherKeys: v.verifiedWithOtherKeys }
    } catch (e) {
      if (!(e instanceof IdentityKeyChangedError)) throw e
      const change = await s.identityKeyChange(username)
      return { kind: 'key-changed', username, message: e.message, signedByPrevious: change?.signedByPrevious ?? false }
    }
  },

  async markVerified({ username, verified }) {
    const s = social()
    await s.markVerified(await s.verifyIdentity(username), verified)
  },

  async acceptIdentityKey({ username }) {
    await social().acceptIdentityKey(username)
  },

  async openLink({ link }, progress, signal) {
    opened = undefined
    const net = await networkAt(apiBase())
    const o = await openSecretLink(net, link, {
      userPassword: () => new Promise<string>((resolve, reject) => {
        passwordWaiter = resolve
        signal.addEventListener('abort', () => reject(new DOMException('Cancelled', 'AbortError')), { once: true })
        progress({ needsPassword: true })
      }),
    })
    passwordWaiter = undefined
    opened = o
    return { path: o.path, entry: treeEntry(o.entry, o.path), writable: o.isWritable }
  },

  async linkPassword({ password }) {
    const w = passwordWaiter
    passwordWaiter = undefined
    w?.(password)
  },

  async linkList({ path }) {
    const dir = await linkEntry(path)
    if (!dir.isDirectory) throw new NotFoundError(`${path} is a file`)
    const r = opened!.reader
    // a write-share link node is shown as the item it links to
    const entries = await Promise.all((await r.list(dir.cap)).map(async (e) => (e.isLink ? r.stat(await r.linkTarget(e.cap), e.name) : e)))
    return entries.map((e) => treeEntry(e, `${path}/${e.name}`)).filter((e) => !e.isHidden).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  },

  async linkUpload({ dir, file }, progress, signal) {
    const fs = opened?.fs
    if (fs === undefined) throw new ReadOnlyLinkError('This secret link is view only.')
    if (!(await linkEntry(dir)).isDirectory) throw new NotFoundError(`${dir} is a file`)
    const total = file.size
    progress({ bytes: 0, total })
    const info = await fs.writeFile(`${dir}/${file.name}`, fileChunks(file, signal), {
      size: total, signal,
      mimeType: file.type === '' ? undefined : file.type,
      modified: file.lastModified > 0 ? file.lastModified : undefined,
      onProgress: (bytes) => progress({ bytes: Math.min(bytes, total), total }),
    })
    progress({ bytes: total, total })
    return entryOf(info)
  },

  async linkDownload({ path, port }, _progress, signal) {
    const entry = await linkEntry(path)
    await feedPort(port, opened!.readFile(entry), signal)
  },
}
