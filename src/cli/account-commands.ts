// The account commands: signup (a new user on the server, then signed in), login (checks the
// credentials) and passwd (a new password; the old one stops working). Passwords come from
// PEERGOS_PASSWORD / PEERGOS_NEW_PASSWORD or the terminal, never from the command line.
import { UserContext } from '../client/user-context.ts'
import { loginPassword, network, newSecret, PASSWORD_ENV, printJson, signIn, usernameOf, type UserCommand } from './session.ts'

export const NEW_PASSWORD_ENV = 'PEERGOS_NEW_PASSWORD'

export const signup: UserCommand = {
  name: 'signup',
  synopsis: '--username NAME [--token TOKEN]',
  summary: 'create an account on the server',
  details: `The password comes from ${PASSWORD_ENV}, else it is asked twice on the terminal.`,
  options: [{ name: 'token', value: 'TOKEN', help: 'a signup token, for servers that require one' }],
  arity: [0, 0],
  async run(cx) {
    const username = usernameOf(cx)
    const net = await network(cx)
    const host = new URL(cx.server).host
    const password = await newSecret(cx, PASSWORD_ENV, `Password for the new account ${username}@${host}`)
    const token = cx.args.values.get('token')
    await UserContext.signUp(net, username, password, token === undefined ? {} : { token })
    if (cx.json) printJson({ username, server: cx.server })
    else process.stdout.write(`signed up ${username} on ${cx.server}\n`)
  },
}

export const login: UserCommand = {
  name: 'login',
  synopsis: '--username NAME',
  summary: 'check a username and password (exit status 0 when they work)',
  options: [],
  arity: [0, 0],
  async run(cx) {
    const user = await signIn(cx)
    if (cx.json) printJson({ username: user.username, server: cx.server })
    else process.stdout.write(`logged in as ${user.username} on ${cx.server}\n`)
  },
}

export const passwd: UserCommand = {
  name: 'passwd',
  synopsis: '--username NAME',
  summary: 'change your password',
  details: `The current password comes from ${PASSWORD_ENV} (or the terminal), the new one from ${NEW_PASSWORD_ENV}, else it is asked twice.`,
  options: [],
  arity: [0, 0],
  async run(cx) {
    const username = usernameOf(cx)
    const net = await network(cx)
    const old = await loginPassword(cx, username)
    const user = await UserContext.signIn(net, username, old)
    const fresh = await newSecret(cx, NEW_PASSWORD_ENV, `New password for ${user.username}`)
    await user.changePassword(old, fresh)
    if (cx.json) printJson({ username: user.username, server: cx.server })
    else process.stdout.write(`changed the password of ${user.username}\n`)
  },
}
