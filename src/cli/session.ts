// What every user command shares: the options --server, --username and --json, the network to a
// Peergos server through its HTTP API only (so any Peergos server works), the password from
// PEERGOS_PASSWORD or the terminal, and signing in.
import { createNodeCrypto } from '../crypto/providers/node.ts'
import { httpNetworkServices } from '../http/clients/network.ts'
import { parsePath } from '../client/paths.ts'
import { answerWithCode } from '../client/mfa.ts'
import { socialOf } from '../client/social/social.ts'
import { UserContext } from '../client/user-context.ts'
import { PeergosError } from '../errors.ts'
import { NodePoster } from '../server/http/node-poster.ts'
import type { NetworkAccess } from '../services/network-access.ts'
import { UsageError, type OptionSpec, type ParsedArgs } from './args.ts'
import { promptPassword } from './password-prompt.ts'

export const DEFAULT_SERVER = 'http://localhost:8000'
export const PASSWORD_ENV = 'PEERGOS_PASSWORD'
export const USERNAME_ENV = 'PEERGOS_USERNAME'
export const MFA_CODE_ENV = 'PEERGOS_MFA_CODE'

/** The two entries of a new password differ. */
export class PasswordMismatchError extends PeergosError {}

export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'server', value: 'URL', help: `the Peergos server (default ${DEFAULT_SERVER})` },
  { name: 'username', short: 'u', value: 'NAME', help: `who signs in (default ${USERNAME_ENV}, else the owner of the first path)` },
  { name: 'json', help: 'machine-readable output on stdout' },
  { name: 'help', short: 'h', help: 'print this help' },
]

export interface CommandContext {
  readonly args: ParsedArgs
  readonly server: string
  readonly json: boolean
  readonly env: NodeJS.ProcessEnv
  /** Secrets read so far: never printed, scrubbed from error messages. */
  readonly secrets: string[]
  /** Run when the command ends (open connections are closed). */
  readonly cleanups: (() => void)[]
}

/** A user command: its usage line, options, number of arguments and what it does. */
export interface UserCommand {
  readonly name: string
  /** The arguments in the usage line (`[-l] [-a] [PATH]`). */
  readonly synopsis: string
  readonly summary: string
  /** More help: what the arguments mean, examples. */
  readonly details?: string
  readonly options: readonly OptionSpec[]
  /** How many positional arguments it takes (max Infinity for any number). */
  readonly arity: readonly [min: number, max: number]
  run(cx: CommandContext): Promise<void>
}

export function commandContext(args: ParsedArgs, env: NodeJS.ProcessEnv): CommandContext {
  return { args, server: serverUrl(args.values.get('server') ?? DEFAULT_SERVER), json: args.flags.has('json'), env, secrets: [], cleanups: [] }
}

function serverUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`--server: not a URL: ${text}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server: only http and https URLs are supported: ${text}`)
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') throw new UsageError(`--server takes a server's origin only (scheme, host and port): ${text}`)
  return url.origin
}

/** --username, else PEERGOS_USERNAME, else the owner of the first Peergos path given. */
export function usernameOf(cx: CommandContext, paths: readonly string[] = []): string {
  const given = cx.args.values.get('username') ?? nonEmpty(cx.env[USERNAME_ENV])
  if (given !== undefined) return given
  for (const p of paths) {
    if (p.startsWith('/')) return parsePath(p).owner
  }
  throw new UsageError(`no username: give --username or set ${USERNAME_ENV}`)
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s
}

/** The server's services over its HTTP API (node:http with kept-alive connections, closed when the command ends). */
export async function network(cx: CommandContext): Promise<NetworkAccess> {
  const poster = new NodePoster(cx.server)
  cx.cleanups.push(() => poster.close())
  return { crypto: await createNodeCrypto(), ...httpNetworkServices(poster) }
}

/** A secret from the environment variable `envName`, else asked on the terminal. */
export async function secret(cx: CommandContext, envName: string, prompt: string): Promise<string> {
  const value = nonEmpty(cx.env[envName]) ?? (await promptPassword(prompt, envName))
  cx.secrets.push(value)
  return value
}

/** A new secret: from `envName`, else asked twice on the terminal. */
export async function newSecret(cx: CommandContext, envName: string, prompt: string): Promise<string> {
  const fromEnv = nonEmpty(cx.env[envName])
  if (fromEnv !== undefined) {
    cx.secrets.push(fromEnv)
    return fromEnv
  }
  const first = await promptPassword(`${prompt}: `, envName)
  cx.secrets.push(first)
  const again = await promptPassword(`Repeat ${prompt.charAt(0).toLowerCase()}${prompt.slice(1)}: `, envName)
  if (again !== first) throw new PasswordMismatchError('the passwords do not match')
  return first
}

/** Signs in as the user the options name (the owner of `paths[0]` by default); items others shared are mounted when a path is theirs. */
export async function signIn(cx: CommandContext, paths: readonly string[] = []): Promise<UserContext> {
  const username = usernameOf(cx, paths)
  const net = await network(cx)
  const password = await loginPassword(cx, username)
  // an account with a second factor: the code from PEERGOS_MFA_CODE, else asked on the terminal
  const mfa = async (request: Parameters<typeof answerWithCode>[0]) => answerWithCode(request, await secret(cx, MFA_CODE_ENV, 'Second factor code (authenticator app or backup code): '))
  const user = await UserContext.signIn(net, username, password, { mfa })
  // another user's path: what they shared with us is read and mounted at its paths first
  if (paths.some((p) => p.startsWith('/') && parsePath(p).owner !== username)) {
    await Promise.resolve().then(() => socialOf(user).refreshShared()).catch((e: unknown) => {
      if (!(e instanceof PeergosError)) throw e // (a legacy account without a boxing key follows nobody)
    })
  }
  return user
}

/** The password of `username`: PEERGOS_PASSWORD, else asked on the terminal. */
export function loginPassword(cx: CommandContext, username: string): Promise<string> {
  return secret(cx, PASSWORD_ENV, `Password for ${username}@${new URL(cx.server).host}: `)
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n')
}
