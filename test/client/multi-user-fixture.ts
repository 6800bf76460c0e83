// The two setups the multi-user scenario suites run in (Peergos MultiUserTests on one network,
// MultiNodeNetworkTests across nodes): ONE server, where every user lives on the same daemon; and TWO
// servers, a PKI node and a mirror bootstrapped to it, where the users of side 0 live on the first
// and those of side 1 on the second, each client talking only to its own home server over HTTP (follow
// requests, replies, sharing files and blocks reach the other home through the p2p proxy). Daemons
// listen on 127.0.0.1 (libp2p too) with GC off and a signup allowance high enough that no proof of work
// is asked; users get fresh names, so a file's scenarios share its daemons.
import { UserContext } from '../../src/client/user-context.ts'
import { socialOf, type Social } from '../../src/client/social/social.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { disposeAll, networkOf, startMirror, startPkiNode } from '../server/p2p/federation-fixtures.ts'
import type { TestDaemon } from '../server/p2p/fixtures.ts'

export const PASSWORD = 'a long and unusual multi-user password'
/** No proof of work for the few dozen signups of a suite. */
const SIGNUP_ARGS = ['--max-daily-signups', '1000000000']

/** Which server a user lives on: 0 (the first) or 1 (the second; the same one in the one-server setup). */
export type Side = 0 | 1

export interface World {
  /** Signs up a fresh user named `<prefix><n>` on the server of `side`. */
  user(prefix: string, side: Side): Promise<UserContext>
  /** A new session of an existing user, on its home server. */
  signIn(u: UserContext, side: Side): Promise<UserContext>
  /** A client without an account, on the server of `side`. */
  anonymous(side: Side): NetworkAccess
  /** The HTTP origin of the server of `side` (for secret link URLs). */
  url(side: Side): string
  close(): Promise<void>
}

export interface Setup {
  readonly name: string
  start(): Promise<World>
}

let counter = 0

/** A username valid for Peergos (lowercase letters and digits), unique in this process. */
function freshName(prefix: string): string {
  return `${prefix}${Date.now().toString(36).slice(-5)}${(counter++).toString(36)}`.slice(0, 32)
}

function worldOf(daemons: readonly TestDaemon[], sideOf: (s: Side) => TestDaemon): World {
  const nets = new Map<TestDaemon, NetworkAccess>(daemons.map((d) => [d, networkOf(d)]))
  const users: UserContext[] = []
  const keep = (u: UserContext): UserContext => {
    users.push(u)
    return u
  }
  return {
    async user(prefix, side) {
      return keep(await UserContext.signUp(nets.get(sideOf(side))!, freshName(prefix), PASSWORD))
    },
    async signIn(u, side) {
      return keep(await UserContext.signIn(nets.get(sideOf(side))!, u.username, PASSWORD))
    },
    anonymous: (side) => networkOf(sideOf(side)),
    url: (side) => sideOf(side).url,
    async close() {
      for (const u of users) await u.close().catch(() => {})
      await disposeAll(...[...daemons].reverse())
    },
  }
}

export const ONE_SERVER: Setup = {
  name: 'one server',
  async start() {
    const d = await startPkiNode(SIGNUP_ARGS)
    return worldOf([d], () => d)
  },
}

export const TWO_SERVERS: Setup = {
  name: 'two servers',
  async start() {
    const pki = await startPkiNode(SIGNUP_ARGS)
    try {
      const mirror = await startMirror(pki)
      return worldOf([pki, mirror], (s) => (s === 0 ? pki : mirror))
    } catch (e) {
      await disposeAll(pki)
      throw e
    }
  },
}

/** Both setups, for `describe.each(SETUPS)('... ($name)', ...)`. */
export const SETUPS: readonly Setup[] = [ONE_SERVER, TWO_SERVERS]

/**
 * `requester` asks to follow `target`; `target` answers (accept and reciprocate by default); the
 * requester processes the reply. Returns the request as `target` saw it.
 */
export async function follow(requester: UserContext, target: UserContext, reply = { accept: true, reciprocate: true }): Promise<void> {
  await socialOf(requester).sendFollowRequest(target.username)
  const requests = await socialOf(target).followRequests()
  const request = requests.find((r) => r.from === requester.username)
  if (request === undefined) throw new Error(`${target.username} got no request from ${requester.username}`)
  await socialOf(target).reply(request, reply)
  await socialOf(requester).followRequests()
}

/** Makes `a` and `b` friends (b asks, a accepts and reciprocates). */
export function befriend(a: UserContext, b: UserContext): Promise<void> {
  return follow(b, a)
}

/** A started setup with alice on side 0 and `names` on side 1, each of them her friend. */
export interface AliceAndFriends {
  readonly w: World
  readonly alice: UserContext
  /** alice's home path. */
  readonly home: string
  /** In the order of `names`. */
  readonly friends: UserContext[]
}

export async function aliceAndFriends(setup: Setup, names: readonly string[]): Promise<AliceAndFriends> {
  const w = await setup.start()
  const alice = await w.user('alice', 0)
  const friends: UserContext[] = []
  for (const n of names) friends.push(await w.user(n, 1))
  for (const f of friends) await befriend(alice, f)
  return { w, alice, home: `/${alice.username}`, friends }
}

export const s = (u: UserContext): Social => socialOf(u)
export const text = (v: string): Uint8Array => new TextEncoder().encode(v)
export const str = (b: Uint8Array): string => new TextDecoder().decode(b)
