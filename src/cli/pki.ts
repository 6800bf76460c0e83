// Operator commands on a server's PKI (reference §4.3): `pki status` shows whether the data directory
// is a PKI node or a mirror (and what the mirror holds); `pki promote` makes a stopped mirror the new
// PKI node after the old one is lost, keeping every username and chain (server/pki-promote.ts).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cidToString } from '../codec/cid.ts'
import { ConfigError, parseDaemonArgs, type DaemonConfig } from '../server/config.ts'
import { NODE_INFO_FILE, type NodeInfo } from '../server/p2p/node-info.ts'
import { promoteMirror, PromotionError } from '../server/pki-promote.ts'
import { mirrorStatePath } from '../server/pki-role.ts'
import { loadMirrorState, MirrorStateError } from '../server/services/pki/mirror-state.ts'

export const PKI_USAGE = `Usage: peergos-ts pki <command> [--dir DIR] [the daemon's storage options]

The PKI (usernames to claim chains) of a server's data directory.

Commands:
  status    print whether the server is the PKI node or a mirror, and what its mirror holds
  promote   make this mirror the PKI node, from its mirrored state, after the PKI node is lost.
            Run it with the daemon stopped; then start the daemon with --pki-init, and restart
            every other server with --pki-node-id set to the peer id this prints.

Options:
  --dir DIR         the daemon's data directory
  --postgres URL    the daemon's Postgres database (or PEERGOS_POSTGRES)
  --s3-...          the daemon's S3 block storage options
  --help            print this help
`

/** Whether a daemon answers at the API URL node.json names, with this directory's server id. */
async function daemonRunning(dir: string): Promise<boolean> {
  let info: NodeInfo
  try {
    info = JSON.parse(await readFile(join(dir, NODE_INFO_FILE), 'utf8')) as NodeInfo
  } catch {
    return false
  }
  if (typeof info.apiUrl !== 'string' || info.apiUrl === '') return false
  try {
    const res = await fetch(`${info.apiUrl}/api/v0/id`, { method: 'POST', signal: AbortSignal.timeout(2_000) })
    const body = (await res.json()) as { ID?: unknown }
    return body.ID === info.id
  } catch {
    return false
  }
}

async function status(config: DaemonConfig): Promise<number> {
  const state = await loadMirrorState(mirrorStatePath(config.dir))
  if (state === undefined) {
    process.stdout.write(`${config.dir}: PKI node (no mirror state)\n`)
    return 0
  }
  process.stdout.write([
    `${config.dir}: mirror of the PKI node ${cidToString(state.pkiNode)}`,
    `PKI identity: ${cidToString(state.identity)}`,
    `tree: ${state.tree === undefined ? '(empty)' : cidToString(state.tree)}`,
    `users: ${state.chains.size}`,
  ].join('\n') + '\n')
  return 0
}

async function promote(config: DaemonConfig): Promise<number> {
  if (await daemonRunning(config.dir)) {
    process.stderr.write(`peergos-ts pki promote: a daemon is running on ${config.dir}; stop it first\n`)
    return 1
  }
  const r = await promoteMirror(config)
  process.stdout.write([
    `Promoted ${config.dir} to PKI node (it followed ${r.previousPkiNode}).`,
    `PKI node id: ${r.pkiNodeId}`,
    `PKI identity: ${r.pkiIdentity}`,
    `users: ${r.users}${r.tree === undefined ? '' : `, tree ${r.tree}`}`,
    `Start it with: peergos-ts daemon --dir ${config.dir} --pki-init`,
    `Restart the other servers with: --pki-node-id ${r.pkiNodeId}`,
  ].join('\n') + '\n')
  return 0
}

export async function runPki(args: string[]): Promise<number> {
  const [command, ...rest] = args
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help')) {
    process.stdout.write(PKI_USAGE)
    return command === undefined ? 2 : 0
  }
  let config: DaemonConfig
  try {
    config = parseDaemonArgs(rest, process.env)
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`peergos-ts pki: ${e.message}\n`)
      return 2
    }
    throw e
  }
  try {
    if (command === 'status') return await status(config)
    if (command === 'promote') return await promote(config)
  } catch (e) {
    if (e instanceof PromotionError || e instanceof MirrorStateError) {
      process.stderr.write(`peergos-ts pki ${command}: ${e.message}\n`)
      return 1
    }
    throw e
  }
  process.stderr.write(`peergos-ts pki: unknown command '${command}'\n${PKI_USAGE}`)
  return 2
}
