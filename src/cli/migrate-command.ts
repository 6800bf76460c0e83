// `peergos-ts migrate`: moves the signed-in user to another home server (Peergos Main `migrate`,
// client/migrate.ts). As in Peergos, --server is the server to move to; with --to PEER-ID the
// target is the server with that peer id, reached through --server's /p2p/<peer-id>/http/ proxy (a
// Peergos server serves that proxy to its own machine only); the user then signs in through
// --server. The target copies everything from the current home and has the PKI name it. Identity, files, links
// and friends stay; the old server refuses the user's writes from then on.
import { base58Encode, type CID } from '../codec/cid.ts'
import { migrateToServer } from '../client/migrate.ts'
import { UserContext } from '../client/user-context.ts'
import { answerWithCode } from '../client/mfa.ts'
import { createNodeCrypto } from '../crypto/providers/node.ts'
import { httpNetworkServices } from '../http/clients/network.ts'
import { p2pPrefix } from '../http/poster.ts'
import { parsePeerId } from '../http/wire.ts'
import { NodePoster } from '../server/http/node-poster.ts'
import type { NetworkAccess } from '../services/network-access.ts'
import { UsageError } from './args.ts'
import { loginPassword, MFA_CODE_ENV, printJson, secret, usernameOf, type CommandContext, type UserCommand } from './session.ts'

/** A server's peer id as node.json and the daemon show it (the base58 multihash), from its CID form. */
function peerIdText(id: CID): string {
  return base58Encode(id.multihash.bytes)
}

function targetPeer(text: string): CID {
  try {
    return parsePeerId(text)
  } catch {
    throw new UsageError(`--to: not a peer id: ${text}`)
  }
}

/** A server's services through --server: itself, or the peer `through` names via its /p2p/ proxy. */
async function networkVia(cx: CommandContext, through?: CID): Promise<NetworkAccess> {
  const poster = new NodePoster(cx.server)
  cx.cleanups.push(() => poster.close())
  return { crypto: await createNodeCrypto(), ...httpNetworkServices(poster, through === undefined ? {} : { prefix: p2pPrefix(through) }) }
}

export const migrate: UserCommand = {
  name: 'migrate',
  synopsis: '--username NAME [--to PEER-ID]',
  summary: 'move your account to another home server (identity, files, links and friends stay)',
  details: `As Peergos' migrate, --server is the server to move to. With --to, the target is the server
with that peer id, reached through --server's /p2p/<peer-id>/http/ proxy (from the server's own
machine). The new server copies your data from your current home and has the PKI name it; the
old server then refuses your writes. Prints the new home server's id.`,
  options: [{ name: 'to', value: 'PEER-ID', help: 'the peer id of the server to move to, reached through --server' }],
  arity: [0, 0],
  async run(cx) {
    const username = usernameOf(cx)
    const given = cx.args.values.get('to')
    const to = given === undefined ? undefined : targetPeer(given)
    // Signed in through --server (a server reached over p2p serves only its own users, so not through the proxy).
    const net = await networkVia(cx)
    const password = await loginPassword(cx, username)
    const mfa = async (request: Parameters<typeof answerWithCode>[0]) => answerWithCode(request, await secret(cx, MFA_CODE_ENV, 'Second factor code (authenticator app or backup code): '))
    const user = await UserContext.signIn(net, username, password, { mfa })
    try {
      const home = await migrateToServer(user, to === undefined ? net : await networkVia(cx, to))
      if (cx.json) printJson({ username, home: peerIdText(home) })
      else process.stdout.write(`migrated ${username} to the server ${peerIdText(home)}\n`)
    } finally {
      await user.close()
    }
  },
}
