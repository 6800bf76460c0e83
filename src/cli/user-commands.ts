// The user commands of `peergos-ts` (signup, login, ls, stat, mkdir, put, get, rm, mv, cp, passwd; the
// social and sharing commands of social-commands.ts and share-commands.ts):
// parses a command's options, prints its --help, runs it, and turns any failure into one line
// `peergos-ts: <message>` on stderr with exit status 2 (usage) or 1 (anything else). No stack
// trace and no password is ever printed.
import { PeergosError } from '../errors.ts'
import { HttpTransportError } from '../http/errors.ts'
import { formatOptions, parseArgs, UsageError } from './args.ts'
import { login, passwd, signup } from './account-commands.ts'
import { migrate } from './migrate-command.ts'
import { cp, ls, mkdir, mv, rm, stat } from './fs-commands.ts'
import { get } from './get.ts'
import { PromptCancelledError } from './password-prompt.ts'
import { put } from './put.ts'
import { link, openLink, putLink, share, sharedWith, unlink, unshare } from './share-commands.ts'
import { accept, follow, friends, reject, removeFollower, requests, unfollow, verify } from './social-commands.ts'
import { COMMON_OPTIONS, commandContext, DEFAULT_SERVER, PASSWORD_ENV, type CommandContext, type UserCommand } from './session.ts'

export const USER_COMMANDS: readonly UserCommand[] = [
  signup, login, ls, stat, mkdir, put, get, rm, mv, cp, passwd,
  follow, requests, accept, reject, friends, unfollow, removeFollower, verify,
  share, unshare, sharedWith, link, unlink, openLink, putLink, migrate,
]

export function findUserCommand(name: string): UserCommand | undefined {
  return USER_COMMANDS.find((c) => c.name === name)
}

/** The command list for the main help. */
export function userCommandsHelp(): string {
  return USER_COMMANDS.map((c) => `  ${c.name.padEnd(15)}  ${c.summary}\n`).join('')
}

export function commandHelp(c: UserCommand): string {
  const options = c.options.length === 0 ? '' : `\nOptions:\n${formatOptions(c.options)}`
  return `Usage: peergos-ts ${c.name} ${c.synopsis} [--server URL] [--username NAME] [--json]

${c.summary.charAt(0).toUpperCase()}${c.summary.slice(1)}.
${c.details === undefined ? '' : `\n${c.details}\n`}${options}
Common options:
${formatOptions(COMMON_OPTIONS)}
Paths are absolute Peergos paths (/alice/docs/a.txt). The password comes from ${PASSWORD_ENV},
else it is asked on the terminal (never echoed). The server defaults to ${DEFAULT_SERVER}.
`
}

export async function runUserCommand(c: UserCommand, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let cx: CommandContext | undefined
  const report = (e: unknown): string => {
    const message = e instanceof UsageError ? `${c.name}: ${e.message} (see 'peergos-ts ${c.name} --help')` : describeError(e, cx?.server)
    return `peergos-ts: ${oneLine(scrub(message, cx?.secrets ?? []))}\n`
  }
  // a failure outside the command's own promise chain is still one line, never a stack trace
  const fatal = (e: unknown): void => {
    process.stderr.write(report(e))
    process.exit(1)
  }
  process.on('uncaughtException', fatal)
  process.on('unhandledRejection', fatal)
  process.stdout.on('error', onStdoutError)
  try {
    const parsed = parseArgs(args, [...c.options, ...COMMON_OPTIONS])
    if (parsed.flags.has('help')) {
      process.stdout.write(commandHelp(c))
      return 0
    }
    const [min, max] = c.arity
    const n = parsed.positional.length
    if (n < min) throw new UsageError(`missing arguments: peergos-ts ${c.name} ${c.synopsis}`)
    if (n > max) throw new UsageError(`too many arguments: peergos-ts ${c.name} ${c.synopsis}`)
    cx = commandContext(parsed, env)
    await c.run(cx)
    return 0
  } catch (e) {
    process.stderr.write(report(e))
    return e instanceof UsageError ? 2 : e instanceof PromptCancelledError ? 130 : 1
  } finally {
    for (const cleanup of cx?.cleanups ?? []) cleanup()
  }
}

/** A reader that closed the pipe (`get ... - | head`) ends the command quietly, as SIGPIPE would. */
function onStdoutError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(141)
  process.stderr.write(`peergos-ts: cannot write to stdout: ${e.code ?? e.message}\n`)
  process.exit(1)
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory', EACCES: 'permission denied', EPERM: 'operation not permitted', EISDIR: 'is a directory',
  ENOTDIR: 'not a directory', EEXIST: 'already exists', ENOSPC: 'no space left on device', EROFS: 'read-only file system',
}

/** What went wrong, in words a user can act on. */
export function describeError(e: unknown, server: string | undefined): string {
  if (e instanceof HttpTransportError && e.message.startsWith('Request failed')) {
    const code = causeCode(e)
    return `cannot reach the server ${server ?? ''}${code === undefined ? '' : ` (${code})`}`
  }
  if (e instanceof PeergosError) return e.message || e.name
  const errno = e as NodeJS.ErrnoException
  if (e instanceof Error && typeof errno.code === 'string' && typeof errno.path === 'string') {
    return `${errno.path}: ${ERRNO_TEXT[errno.code] ?? errno.message}`
  }
  if (e instanceof Error) return e.message || e.name
  return String(e)
}

/** Why a request failed: the first `code` along the error's causes (ECONNREFUSED, ENOTFOUND...), else the innermost message. */
function causeCode(e: unknown): string | undefined {
  let innermost: string | undefined
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    const code = (c as NodeJS.ErrnoException).code
    if (typeof code === 'string') return code
    if (c instanceof AggregateError) {
      const inner = c.errors.map((x: unknown) => (x as NodeJS.ErrnoException).code).find((x) => typeof x === 'string')
      if (inner !== undefined) return inner
    }
    if (depth > 0) innermost = c.message
  }
  return innermost === 'fetch failed' ? undefined : innermost
}

/** Belt and braces: no message quotes a password (none should; short strings would garble messages). */
function scrub(message: string, secrets: readonly string[]): string {
  let out = message
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join('***')
  return out
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}
