// Secret links, owner side (reference §1.4; UserContext.createSecretLink, updateSecretLink,
// deleteSecretLink; SharedWithCache.addSecretLink/removeSecretLink): a link is a random label and
// 12-character password; the item's read capability, encrypted under scrypt(label, password + the
// optional user password), goes into a SecretLinkTarget (with the optional expiry and maximum of
// retrievals, which the server enforces) stored under the label in the identity's links CHAMP. The
// owner keeps the LinkProperties (passwords included) in the item's SharedWithCache entry, from which
// links are listed, re-encrypted after a key rotation, and revoked (removed from the CHAMP). A writable
// link first gives the item its own writing space and encrypts the writable capability of its link node.
import { readOnly, type AbsoluteCapability } from '../../model/capability.ts'
import { createEncryptedCapability } from '../../model/encrypted-capability.ts'
import type { CID } from '../../codec/cid.ts'
import type { LinkProperties } from '../../model/link-properties.ts'
import type { SecretLinkTarget } from '../../model/secret-link-target.ts'
import { createSecretLink as newSecretLink, secretLink, secretLinkToString } from '../../model/secret-link.ts'
import type { SharedWithState } from '../../model/shared-with-state.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { NotFoundError } from '../errors.ts'
import { parsePath } from '../paths.ts'
import type { SocialContext } from './context.ts'
import { InvalidLinkOptionsError, NotShareableError } from './errors.ts'
import { editSecretLinks } from './identity-links.ts'
import { reshareSubtree } from './revoke.ts'
import { moveToOwnWriter } from './sharing.ts'
import { sharedWith, updateSharedWith } from './shared-with.ts'

export interface SecretLinkOptions {
  /** A writable link: the item first gets a writing space of its own, whose link node's writable capability the link opens. */
  readonly writable?: boolean
  /** When the server stops handing the link out. */
  readonly expiry?: Date
  /** How many times the server hands the link out. */
  readonly maxRetrievals?: number
  /** An extra password, not part of the link, that opening it asks for. */
  readonly userPassword?: string
  /** Peergos' autoOpen flag (the web UI opens the file at once). */
  readonly open?: boolean
}

/** Largest maximum of retrievals (a Java int). */
export const MAX_LINK_RETRIEVALS = 2 ** 31 - 1

/** The link's path and fragment, `secret/z<owner>/<label>#<password>` (the user password is never in it). */
export function secretLinkString(owner: PublicKeyHash, p: LinkProperties): string {
  return secretLinkToString(secretLink(owner, p.label, p.linkPassword))
}

/** A full URL of the link on `server` (an origin such as https://peergos.net). */
export function secretLinkUrl(server: string, owner: PublicKeyHash, p: LinkProperties): string {
  return `${server.replace(/\/+$/, '')}/${secretLinkString(owner, p)}`
}

/** createSecretLink: a new link to the item at `path`; returns its properties (label, password, limits). */
export async function createSecretLink(x: SocialContext, path: string, o: SecretLinkOptions = {}): Promise<LinkProperties> {
  if (parsePath(path).names.length === 0) throw new NotShareableError('You cannot make a secret link to your home directory!')
  const max = o.maxRetrievals
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_LINK_RETRIEVALS)) throw new InvalidLinkOptionsError(`The maximum number of uses must be a whole number from 1 to ${MAX_LINK_RETRIEVALS}`)
  const expiry = o.expiry === undefined ? undefined : Math.floor(o.expiry.getTime() / 1000)
  if (expiry !== undefined && !Number.isSafeInteger(expiry)) throw new InvalidLinkOptionsError('Invalid expiry date')
  if (!(await x.fs.exists(path))) throw new NotFoundError(`${path}: no such file or directory`)
  const writable = o.writable === true
  if (writable) {
    // Peergos: shareWriteAccessWith(path, {}) first; a move re-keys the subtree, so its shares are re-sent
    const { moved } = await moveToOwnWriter(x, path)
    if (moved) await reshareSubtree(x, path)
  }
  const l = newSecretLink(x.net.crypto, x.identity.publicKeyHash)
  const props: LinkProperties = {
    label: l.label, linkPassword: l.linkPassword, userPassword: o.userPassword ?? '', isLinkWritable: writable, open: o.open ?? false,
    ...(max === undefined ? {} : { maxRetrievals: max }),
    ...(expiry === undefined ? {} : { expiry }),
  }
  const [published] = await publishSecretLinks(x, [{ path, props }])
  return published
}

export interface LinkToPublish {
  readonly path: string
  readonly props: LinkProperties
}

/**
 * updateSecretLink for several links at once: each item's current read capability (for a writable link,
 * the writable capability of the link node in front of the item's own writing space) is encrypted under
 * its link's password, all targets go into the links CHAMP in one identity commit, and each item's
 * SharedWithCache entry records the properties with the new target (`h`). Used to create links and
 * to re-send them after a key rotation.
 */
export async function publishSecretLinks(x: SocialContext, links: readonly LinkToPublish[]): Promise<LinkProperties[]> {
  if (links.length === 0) return []
  const c = x.net.crypto
  const prepared: { path: string; props: LinkProperties; target: SecretLinkTarget }[] = []
  for (const { path, props } of links) {
    const cap = props.isLinkWritable ? await writableLinkCap(x, path) : readOnly(await x.fs.capabilityOf(path))
    const encrypted = await createEncryptedCapability(c, cap, String(props.label), props.linkPassword + props.userPassword, props.userPassword !== '')
    prepared.push({ path, props, target: { cap: encrypted, expiry: props.expiry, maxRetrievals: props.maxRetrievals } })
  }
  const cids = await editSecretLinks(x, async (e) => {
    const out: CID[] = []
    for (const p of prepared) out.push(await e.put(p.props.label, p.target))
    return out
  })
  const published = prepared.map((p, i) => ({ ...p.props, existing: cids[i] }))
  for (let i = 0; i < published.length; i++) await updateSharedWith(x, prepared[i].path, (s, name) => withLink(s, name, published[i]))
  return published
}

/** What a writable link opens: the link node of the item's own writing space (Peergos' getLinkPointer). */
async function writableLinkCap(x: SocialContext, path: string): Promise<AbsoluteCapability> {
  const entry = await x.fs.entryCapabilityOf(path)
  const target = await x.fs.capabilityOf(path)
  if (entry.wBaseKey === undefined || target.writer.equals(entry.writer)) {
    throw new NotShareableError(`To make a writable secret link, ${path} must already be in a writing space of its own`)
  }
  return entry
}

/** The secret links of the item at `path`. */
export async function secretLinksOf(x: SocialContext, path: string): Promise<readonly LinkProperties[]> {
  return (await sharedWith(x, path)).links
}

/**
 * deleteSecretLink: the target leaves the links CHAMP (the server stops handing it out) and the item's
 * record. A writable link, once opened, gave away the item's writing key; so (beyond Peergos, which only
 * unpublishes it) the item then moves to a new writing space, as for unShareWriteAccessWith, and its
 * remaining shares and links are re-sent: whoever opened the link can change nothing any more.
 */
export async function deleteSecretLink(x: SocialContext, path: string, label: number): Promise<boolean> {
  const link = (await sharedWith(x, path)).links.find((l) => l.label === label)
  const removed = await editSecretLinks(x, (e) => e.remove(label))
  await updateSharedWith(x, path, (s, name) => withoutLink(s, name, label))
  if (link?.isLinkWritable === true) {
    await x.fs.replaceWriter(path)
    await reshareSubtree(x, path)
  }
  return removed
}

/** SharedWithState.addLink: replaces any link of the same label. */
function withLink(s: SharedWithState, name: string, p: LinkProperties): SharedWithState {
  const links = new Map(s.links)
  links.set(name, [...(links.get(name) ?? []).filter((l) => l.label !== p.label), p])
  return { ...s, links }
}

/** SharedWithState.removeLink. */
function withoutLink(s: SharedWithState, name: string, label: number): SharedWithState {
  const links = new Map(s.links)
  const left = (links.get(name) ?? []).filter((l) => l.label !== label)
  if (left.length === 0) links.delete(name)
  else links.set(name, left)
  return { ...s, links }
}

