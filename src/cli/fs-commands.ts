// The file commands on a user's Peergos tree: ls, stat, mkdir, rm, mv and cp, each one call of the
// client's FileSystem after signing in. Paths are absolute Peergos paths (/alice/docs/a.txt).
import { NotADirectoryError } from '../client/dir-ops.ts'
import { moveWithRecords, removeWithRecords } from '../client/social/social.ts'
import { isHidden, jsonEntry, longListing, shortListing, statText } from './format.ts'
import { printJson, signIn, type UserCommand } from './session.ts'

export const ls: UserCommand = {
  name: 'ls',
  synopsis: '[-l] [-a] [PATH]',
  summary: 'list a directory (default: your home directory)',
  details: 'Hidden entries (Peergos hidden items and names starting with a dot) are listed with -a only.\n--json prints an array of {name, path, type, size, mimeType, modified, created, hidden, link}.',
  options: [
    { name: 'long', short: 'l', help: 'long form: type, size, modification time, name' },
    { name: 'all', short: 'a', help: 'include hidden entries' },
  ],
  arity: [0, 1],
  async run(cx) {
    const user = await signIn(cx, cx.args.positional)
    const path = cx.args.positional[0] ?? `/${user.username}`
    const info = await user.fs.stat(path)
    let entries = info.isDirectory ? await user.fs.list(path) : [info]
    if (info.isDirectory && !cx.args.flags.has('all')) entries = entries.filter((e) => !isHidden(e))
    if (cx.json) printJson(entries.map(jsonEntry))
    else process.stdout.write(cx.args.flags.has('long') ? longListing(entries) : shortListing(entries))
  },
}

export const stat: UserCommand = {
  name: 'stat',
  synopsis: 'PATH',
  summary: 'show a file or directory: type, size, mime type, times',
  options: [],
  arity: [1, 1],
  async run(cx) {
    const user = await signIn(cx, cx.args.positional)
    const info = await user.fs.stat(cx.args.positional[0])
    if (cx.json) printJson(jsonEntry(info))
    else process.stdout.write(statText(info))
  },
}

export const mkdir: UserCommand = {
  name: 'mkdir',
  synopsis: '[-p] PATH...',
  summary: 'make directories',
  options: [{ name: 'parents', short: 'p', help: 'make missing parent directories too; an existing directory is no error' }],
  arity: [1, Infinity],
  async run(cx) {
    const user = await signIn(cx, cx.args.positional)
    for (const path of cx.args.positional) await user.fs.mkdir(path, { parents: cx.args.flags.has('parents') })
  },
}

export const rm: UserCommand = {
  name: 'rm',
  synopsis: '[-r] PATH...',
  summary: 'remove files (and with -r, directories with everything in them)',
  options: [{ name: 'recursive', short: 'r', help: 'remove directories and their contents' }],
  arity: [1, Infinity],
  async run(cx) {
    const user = await signIn(cx, cx.args.positional)
    for (const path of cx.args.positional) {
      const info = await user.fs.stat(path)
      if (info.isDirectory && !cx.args.flags.has('recursive')) throw new NotADirectoryError(`${path} is a directory (use rm -r to remove it with everything in it)`)
      await removeWithRecords(user, path)
    }
  },
}

export const mv: UserCommand = {
  name: 'mv',
  synopsis: 'FROM TO',
  summary: 'move or rename a file or directory',
  details: 'When TO is an existing directory, FROM moves into it; otherwise FROM is renamed to TO.',
  options: [],
  arity: [2, 2],
  async run(cx) {
    const [from, to] = cx.args.positional
    const user = await signIn(cx, cx.args.positional)
    await moveWithRecords(user, from, to)
  },
}

export const cp: UserCommand = {
  name: 'cp',
  synopsis: 'FROM TO',
  summary: 'copy a file or a directory tree (re-encrypted under new keys)',
  details: 'When TO is an existing directory, the copy goes into it; otherwise the copy is named TO. An existing file TO is not replaced.',
  options: [],
  arity: [2, 2],
  async run(cx) {
    const [from, to] = cx.args.positional
    const user = await signIn(cx, cx.args.positional)
    await user.fs.copy(from, to)
  },
}
