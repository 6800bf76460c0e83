// The social commands (reference §6.1; follow requests and the social graph, identity verification):
// follow, requests, accept, reject, friends, unfollow, verify. Each signs in as --username (or
// PEERGOS_USERNAME), works through the client's Social, and prints text or, with --json, one JSON value.
import { PeergosError } from '../errors.ts'
import { formatSafetyNumber } from '../model/fingerprint.ts'
import { socialOf, type ReceivedFollowRequest, type Social } from '../client/social/social.ts'
import { printJson, signIn, type CommandContext, type UserCommand } from './session.ts'

/** No follow request from that user is waiting for an answer. */
export class NoSuchRequestError extends PeergosError {}

async function socialSession(cx: CommandContext): Promise<Social> {
  return socialOf(await signIn(cx))
}

async function pendingFrom(s: Social, name: string): Promise<ReceivedFollowRequest> {
  const request = (await s.followRequests()).find((r) => r.from === name)
  if (request === undefined) throw new NoSuchRequestError(`no follow request from ${name} (see 'peergos-ts requests')`)
  return request
}

function done(cx: CommandContext, json: Record<string, unknown>, text: string): void {
  if (cx.json) printJson(json)
  else process.stdout.write(text + '\n')
}

export const follow: UserCommand = {
  name: 'follow',
  synopsis: 'USER',
  summary: 'ask a user to let you follow them (and to follow you back)',
  options: [],
  arity: [1, 1],
  async run(cx) {
    const [target] = cx.args.positional
    const s = await socialSession(cx)
    if (!(await s.sendFollowRequest(target))) throw new PeergosError('you cannot follow yourself')
    done(cx, { requested: target }, `sent a follow request to ${target}`)
  },
}

export const requests: UserCommand = {
  name: 'requests',
  synopsis: '',
  summary: 'list the follow requests waiting for your answer (answers to yours are applied)',
  details: '--json prints an array of {from, followBack} (followBack: they also ask you to follow them).',
  options: [],
  arity: [0, 0],
  async run(cx) {
    const incoming = await (await socialSession(cx)).followRequests()
    if (cx.json) printJson(incoming.map((r) => ({ from: r.from, followBack: r.request.key !== undefined })))
    else process.stdout.write(incoming.map((r) => `${r.from}\n`).join(''))
  },
}

export const accept: UserCommand = {
  name: 'accept',
  synopsis: 'USER [--reciprocate]',
  summary: "accept a user's follow request (they can then see what you share with them)",
  options: [{ name: 'reciprocate', help: 'follow them back' }],
  arity: [1, 1],
  async run(cx) {
    const [name] = cx.args.positional
    const s = await socialSession(cx)
    const reciprocate = cx.args.flags.has('reciprocate')
    await s.reply(await pendingFrom(s, name), { accept: true, reciprocate })
    done(cx, { accepted: name, reciprocated: reciprocate }, `${name} now follows you${reciprocate ? ', and you follow them' : ''}`)
  },
}

export const reject: UserCommand = {
  name: 'reject',
  synopsis: 'USER',
  summary: "reject a user's follow request",
  options: [],
  arity: [1, 1],
  async run(cx) {
    const [name] = cx.args.positional
    const s = await socialSession(cx)
    await s.reject(await pendingFrom(s, name))
    done(cx, { rejected: name }, `rejected the follow request of ${name}`)
  },
}

export const friends: UserCommand = {
  name: 'friends',
  synopsis: '',
  summary: 'list your friends, followers, the users you follow and your requests awaiting an answer',
  details: '--json prints {friends, followers, following, pending, blocked}, each an array of names.',
  options: [],
  arity: [0, 0],
  async run(cx) {
    const s = await socialSession(cx)
    await s.followRequests() // apply answers to our requests first
    const state = await s.socialState()
    const out = { friends: state.friends, followers: state.followers, following: state.following, pending: state.pendingOutgoing, blocked: state.blocked }
    if (cx.json) printJson(out)
    else process.stdout.write(Object.entries(out).map(([k, v]) => `${(k + ':').padEnd(11)}${v.join(' ')}\n`).join(''))
  },
}

export const unfollow: UserCommand = {
  name: 'unfollow',
  synopsis: 'USER',
  summary: 'stop following a user (what they share is no longer read)',
  options: [],
  arity: [1, 1],
  async run(cx) {
    const [name] = cx.args.positional
    await (await socialSession(cx)).unfollow(name)
    done(cx, { unfollowed: name }, `you no longer follow ${name}`)
  },
}

export const removeFollower: UserCommand = {
  name: 'remove-follower',
  synopsis: 'USER',
  summary: 'remove a follower (the keys of everything they could read are rotated)',
  details: '--json prints {removed, rotated, notRevoked}: the paths whose keys were rotated (items they could write also move to a new signing key), and those that could not be (a subtree holding another writing space).',
  options: [],
  arity: [1, 1],
  async run(cx) {
    const [name] = cx.args.positional
    const r = await (await socialSession(cx)).removeFollower(name)
    const note = r.notRevoked.length === 0 ? '' : `\nnot revoked (a subtree holding another writing space): ${r.notRevoked.join(' ')}`
    done(cx, { removed: name, rotated: r.rotated, notRevoked: r.notRevoked }, `${name} no longer follows you; rotated the keys of ${r.rotated.length} item${r.rotated.length === 1 ? '' : 's'}${note}`)
  },
}

export const verify: UserCommand = {
  name: 'verify',
  synopsis: 'USER [--confirm] [--accept-new-key]',
  summary: "print the safety number of a user and you: compare it with theirs (in person or by a trusted channel)",
  details: [
    "The number is Peergos' fingerprint of both users' names and identity keys; both of you see the same 60 digits.",
    "A user's identity key is remembered the first time it is seen (.keystore): if the server names another key later,",
    'the command fails with a warning. Compare safety numbers, then accept the new key with --accept-new-key.',
    '--json prints {username, safetyNumber, verified, verifiedWithOtherKeys, firstSeen}.',
  ].join('\n'),
  options: [
    { name: 'confirm', help: 'record that you compared the numbers and they match' },
    { name: 'accept-new-key', help: "trust the identity key the server names now for USER (after it changed)" },
  ],
  arity: [1, 1],
  async run(cx) {
    const [name] = cx.args.positional
    const s = await socialSession(cx)
    if (cx.args.flags.has('accept-new-key')) await s.acceptIdentityKey(name)
    let v = await s.verifyIdentity(name)
    if (cx.args.flags.has('confirm')) {
      await s.markVerified(v)
      v = await s.verifyIdentity(name)
    }
    const json = { username: name, safetyNumber: v.safetyNumber, verified: v.verified, verifiedWithOtherKeys: v.verifiedWithOtherKeys, firstSeen: v.firstSeen }
    if (cx.json) return printJson(json)
    const status = v.verified ? 'verified' : v.verifiedWithOtherKeys ? `NOT verified: ${name}'s keys changed since you verified them` : 'not verified yet (compare the numbers, then run verify --confirm)'
    process.stdout.write(`safety number with ${name}:\n  ${formatSafetyNumber(v.safetyNumber)}\n${status}\n`)
  },
}
