// The sharing commands (reference §1.4, §6.2-§6.4): share and unshare read or write access with
// followers or groups (unsharing rotates the item's keys; write access also its signing key), who an
// item is shared with, secret links (link, unlink; read-only or writable), open-link, which reads a
// secret link without any account, and put-link, which uploads through a writable one. Group readers
// are named by --friends / --followers.
import { createNodeCrypto } from '../crypto/providers/node.ts'
import { httpNetworkServices } from '../http/clients/network.ts'
import { PeergosError } from '../errors.ts'
import type { LinkProperties } from '../model/link-properties.ts'
import { parseSecretLink } from '../model/secret-link.ts'
import { openSecretLink, type OpenedSecretLink } from '../client/social/open-secret-link.ts'
import { joinPath } from '../client/paths.ts'
import { socialOf, type Social } from '../client/social/social.ts'
import { NodePoster } from '../server/http/node-poster.ts'
import { UsageError } from './args.ts'
import { getEntry } from './get.ts'
import { putLocal } from './put.ts'
import { transferSummary } from './format.ts'
import { newSecret, printJson, secret, signIn, type CommandContext, type UserCommand } from './session.ts'

export const LINK_PASSWORD_ENV = 'PEERGOS_LINK_PASSWORD'

/** No secret link of that label on the item. */
export class NoSuchLinkError extends PeergosError {}

/** put-link with a link that gives no write access. */
export class ReadOnlyLinkError extends PeergosError {}

const GROUP_OPTIONS = [
  { name: 'friends', help: 'your friends group (everyone you follow who follows you)' },
  { name: 'followers', help: 'your followers group' },
]

/** The named users plus the uids of the groups asked for. */
async function readersOf(cx: CommandContext, s: Social, users: readonly string[]): Promise<string[]> {
  const out = [...users]
  if (cx.args.flags.has('friends') || cx.args.flags.has('followers')) {
    const state = await s.socialState()
    if (cx.args.flags.has('friends')) out.push(state.friendsGroupUid)
    if (cx.args.flags.has('followers')) out.push(state.followersGroupUid)
  }
  if (out.length === 0) throw new UsageError('name at least one USER, or --friends or --followers')
  return out
}

export const share: UserCommand = {
  name: 'share',
  synopsis: 'PATH [USER...] [--friends] [--followers] [--write]',
  summary: 'share a file or folder with followers (by name) or your groups; --write grants write access',
  details: 'Each USER must follow you. With --write (users by name only) the item moves to its own writing space: a writer of a folder can add, change and delete inside it; of a file, change only that file.',
  options: [...GROUP_OPTIONS, { name: 'write', help: 'share write access (users by name)' }],
  arity: [1, Infinity],
  async run(cx) {
    const [path, ...users] = cx.args.positional
    if (cx.args.flags.has('write')) {
      if (users.length === 0 || cx.args.flags.has('friends') || cx.args.flags.has('followers')) throw new UsageError('--write shares with users by name only')
      const s = socialOf(await signIn(cx, [path]))
      await s.shareWriteAccessWith(path, users)
      if (cx.json) printJson({ path, write: users })
      else process.stdout.write(`shared ${path} with write access with ${users.join(', ')}\n`)
      return
    }
    const user = await signIn(cx, [path])
    const s = socialOf(user)
    const readers = await readersOf(cx, s, users)
    await s.shareReadAccessWith(path, readers)
    const names = await namesOf(s, readers)
    if (cx.json) printJson({ path, read: names })
    else process.stdout.write(`shared ${path} read-only with ${names.join(', ')}\n`)
  },
}

export const unshare: UserCommand = {
  name: 'unshare',
  synopsis: 'PATH [USER...] [--friends] [--followers] [--write]',
  summary: "revoke users' or groups' read access (the item's keys are rotated; others keep access); --write revokes write access",
  details: 'With --write the item moves to a new signing key and the old one is de-authorised: the server refuses whatever the revoked writers sign with it. A revoked writer keeps reading only if the item is also shared with them read-only.',
  options: [...GROUP_OPTIONS, { name: 'write', help: 'revoke write access instead of read access' }],
  arity: [1, Infinity],
  async run(cx) {
    const [path, ...users] = cx.args.positional
    const s = socialOf(await signIn(cx, [path]))
    const readers = await readersOf(cx, s, users)
    if (cx.args.flags.has('write')) {
      await s.unshareWriteAccessWith(path, readers)
      const left = await namesOf(s, (await s.sharedWith(path)).write)
      if (cx.json) printJson({ path, revoked: await namesOf(s, readers), write: left })
      else process.stdout.write(`revoked write access to ${path}; still writable by: ${left.length === 0 ? 'nobody' : left.join(', ')}\n`)
      return
    }
    await s.unshareReadAccessWith(path, readers)
    const left = await namesOf(s, (await s.sharedWith(path)).read)
    if (cx.json) printJson({ path, revoked: await namesOf(s, readers), read: left })
    else process.stdout.write(`revoked read access to ${path}; still shared with: ${left.length === 0 ? 'nobody' : left.join(', ')}\n`)
  },
}

/** Group uids as "friends group" / "followers group". */
async function namesOf(s: Social, readers: readonly string[]): Promise<string[]> {
  if (!readers.some((r) => r.startsWith('.'))) return [...readers]
  const groups = await s.groups()
  return readers.map((r) => (groups.has(r) ? `${groups.get(r)} group` : r))
}

interface JsonLink {
  readonly url: string
  readonly label: number
  readonly expires?: string
  readonly maxUses?: number
  readonly password: boolean
  readonly writable: boolean
}

function jsonLink(cx: CommandContext, s: Social, p: LinkProperties): JsonLink {
  return {
    url: s.secretLinkUrl(cx.server, p), label: p.label, password: p.userPassword !== '', writable: p.isLinkWritable,
    ...(p.expiry === undefined ? {} : { expires: new Date(p.expiry * 1000).toISOString() }),
    ...(p.maxRetrievals === undefined ? {} : { maxUses: p.maxRetrievals }),
  }
}

function linkText(l: JsonLink): string {
  const notes = [l.writable ? 'writable' : '', l.expires === undefined ? '' : `expires ${l.expires}`, l.maxUses === undefined ? '' : `${l.maxUses} uses`, l.password ? 'password' : ''].filter((n) => n !== '')
  return `${l.url}${notes.length === 0 ? '' : `  (${notes.join(', ')})`}`
}

export const sharedWith: UserCommand = {
  name: 'shared-with',
  synopsis: 'PATH',
  summary: 'show who a file or folder is shared with, and its secret links',
  details: '--json prints {path, read, write, links: [{url, label, expires?, maxUses?, password, writable}]}.',
  options: [],
  arity: [1, 1],
  async run(cx) {
    const [path] = cx.args.positional
    const s = socialOf(await signIn(cx, [path]))
    const shared = await s.sharedWith(path)
    const out = { path, read: await namesOf(s, shared.read), write: await namesOf(s, shared.write), links: shared.links.map((l) => jsonLink(cx, s, l)) }
    if (cx.json) return printJson(out)
    process.stdout.write(`read:  ${out.read.join(', ')}\nwrite: ${out.write.join(', ')}\nlinks:${out.links.map((l) => `\n  ${linkText(l)}`).join('')}\n`)
  },
}

export const link: UserCommand = {
  name: 'link',
  synopsis: 'PATH [--expires ISO] [--max-uses N] [--password] [--write]',
  summary: 'make a secret link to a file or folder, which opens without an account',
  details: [
    'Anyone with the link can read the item (until it expires, is used up or is removed with unlink).',
    'With --write they can also change it (put-link uploads into a writable link to a folder); the item first moves',
    'to a writing space of its own, and unlink then moves it to a new signing key, so the link stops working for writes.',
    `--password asks for an extra password (or takes ${LINK_PASSWORD_ENV}), which is not part of the link.`,
    '--json prints {url, label, expires?, maxUses?, password, writable}.',
  ].join('\n'),
  options: [
    { name: 'expires', value: 'ISO', help: 'when the link stops working (ISO 8601, e.g. 2030-01-31T12:00:00Z)' },
    { name: 'max-uses', value: 'N', help: 'how many times it can be opened' },
    { name: 'password', help: 'protect it with an extra password' },
    { name: 'write', help: 'a writable link' },
  ],
  arity: [1, 1],
  async run(cx) {
    const [path] = cx.args.positional
    const expiresText = cx.args.values.get('expires')
    const expiry = expiresText === undefined ? undefined : new Date(expiresText)
    if (expiry !== undefined && (Number.isNaN(expiry.getTime()) || !/^\d{4}-\d\d-\d\d/.test(expiresText!))) throw new UsageError(`--expires: not an ISO 8601 date: ${expiresText}`)
    const usesText = cx.args.values.get('max-uses')
    const maxRetrievals = usesText === undefined ? undefined : Number(usesText)
    if (usesText !== undefined && !/^[1-9][0-9]*$/.test(usesText)) throw new UsageError(`--max-uses: not a positive whole number: ${usesText}`)
    const s = socialOf(await signIn(cx, [path]))
    const userPassword = cx.args.flags.has('password') ? await newSecret(cx, LINK_PASSWORD_ENV, 'Extra password for the link') : undefined
    const props = await s.createSecretLink(path, { expiry, maxRetrievals, userPassword, writable: cx.args.flags.has('write') })
    const out = jsonLink(cx, s, props)
    if (cx.json) printJson(out)
    else process.stdout.write(`${out.url}\n`)
  },
}

export const unlink: UserCommand = {
  name: 'unlink',
  synopsis: 'PATH [LINK...]',
  summary: 'remove secret links of a file or folder (all of them, or those named by URL or label)',
  details: 'Removing a writable link also moves the item to a new signing key (whoever opened the link can no longer write).',
  options: [],
  arity: [1, Infinity],
  async run(cx) {
    const [path, ...which] = cx.args.positional
    const s = socialOf(await signIn(cx, [path]))
    const links = await s.secretLinks(path)
    const labels = which.length === 0 ? links.map((l) => l.label) : which.map(labelOf)
    for (const label of labels) if (!links.some((l) => l.label === label)) throw new NoSuchLinkError(`${path} has no secret link ${label}`)
    for (const label of labels) await s.deleteSecretLink(path, label)
    if (cx.json) printJson({ path, removed: labels })
    else process.stdout.write(`removed ${labels.length} secret link${labels.length === 1 ? '' : 's'} of ${path}\n`)
  },
}

/** A link's label, from its URL or the label itself. */
function labelOf(text: string): number {
  if (/^[1-9][0-9]{0,15}$/.test(text)) return Number(text)
  try {
    return parseSecretLink(text).label
  } catch {
    throw new UsageError(`not a secret link or label: ${text}`)
  }
}

export const openLink: UserCommand = {
  name: 'open-link',
  synopsis: 'URL LOCAL',
  summary: "download what a secret link opens (no account needed); LOCAL '-' writes a file to stdout",
  details: [
    'The server is the one in URL (https://host/secret/...), else --server. An extra password comes from',
    `${LINK_PASSWORD_ENV}, else it is asked on the terminal. --json prints {path, files, bytes, ms, item}.`,
  ].join('\n'),
  options: [],
  arity: [2, 2],
  async run(cx) {
    const [url, local] = cx.args.positional
    if (local === '-' && cx.json) throw new UsageError("--json cannot be used when the file goes to stdout ('-')")
    const opened = await openLinkOf(cx, url)
    const start = performance.now()
    const got = await getEntry(opened.reader, opened.entry, local)
    const ms = Math.round(performance.now() - start)
    if (cx.json) printJson({ ...got, ms, item: opened.path })
    else if (local !== '-') process.stdout.write(`got ${opened.path} (${got.files} file${got.files === 1 ? '' : 's'}) to ${got.path}: ${transferSummary(got.bytes, ms)}\n`)
  },
}

/** Opens a secret link on its server (the one in the URL, else --server), asking for an extra password when it has one. */
async function openLinkOf(cx: CommandContext, url: string): Promise<OpenedSecretLink> {
  const server = /^https?:\/\//.test(url) ? new URL(url).origin : cx.server
  const poster = new NodePoster(server)
  cx.cleanups.push(() => poster.close())
  const net = { crypto: await createNodeCrypto(), ...httpNetworkServices(poster) }
  const opened = await openSecretLink(net, url, { userPassword: () => secret(cx, LINK_PASSWORD_ENV, 'Password of the secret link: ') })
  if (opened.fs !== undefined) cx.cleanups.push(() => opened.fs!.close())
  return opened
}

export const putLink: UserCommand = {
  name: 'put-link',
  synopsis: 'URL LOCAL [NAME]',
  summary: 'upload into what a writable secret link opens (no account needed): a file into its folder, or over its file',
  details: [
    'LOCAL goes into the linked folder under its own name, or as NAME (a path inside the folder). Existing files are',
    'overwritten. A link to a file takes a LOCAL file as its new contents (no NAME).',
    `The server and extra password are found as for open-link. --json prints {path, files, dirs, bytes, ms}.`,
  ].join('\n'),
  options: [],
  arity: [2, 3],
  async run(cx) {
    const [url, local, name] = cx.args.positional
    const opened = await openLinkOf(cx, url)
    const fs = opened.fs
    if (fs === undefined) throw new ReadOnlyLinkError('This secret link is read-only: it cannot be written through')
    if (!opened.isDirectory && name !== undefined) throw new UsageError(`${opened.path} is a file: put-link URL LOCAL replaces its contents (no NAME)`)
    const remote = name === undefined ? opened.path : joinPath(opened.path, name)
    await putLocal(cx, local, remote, async () => fs)
  },
}
