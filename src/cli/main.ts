// The `peergos-ts` command line: dispatches subcommands. Each subcommand lives in its own file.
import '../polyfill.ts'
import { PACKAGE_VERSION as VERSION } from '../server/package-root.ts'

const USAGE = `peergos-ts ${VERSION}: private, end-to-end encrypted, peer-to-peer storage (Peergos 1.32 compatible)

Usage: peergos-ts <command> [options]

Your files (on any Peergos server, through its HTTP API; --server URL, --username NAME):
{USER_COMMANDS}
Running a server:
  daemon      start a home server (Peergos HTTP API on embedded storage)
  token       create or list signup tokens (token create [--dir DIR])
  quota       set or show users' storage quotas (quota set USER SIZE, quota show USER)
  pki         the server's PKI: status, or promote a mirror to PKI node (pki promote --dir DIR)
  export-ui   write the web UI's static bundle to a directory (export-ui DIR)

  version     print the version
  help        print this help (help COMMAND: that command's help)
`

export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return command === 'help' && rest.length > 0 ? help(rest[0]) : help(undefined)
    case 'version':
    case '--version':
      process.stdout.write(`${VERSION}\n`)
      return 0
    case 'daemon': {
      const { runDaemon } = await import('./daemon.ts')
      return runDaemon(rest)
    }
    case 'token':
    case 'quota': {
      const { runToken, runQuota } = await import('./quota.ts')
      return command === 'token' ? runToken(rest) : runQuota(rest)
    }
    case 'pki': {
      const { runPki } = await import('./pki.ts')
      return runPki(rest)
    }
    case 'export-ui': {
      const { runExportUi } = await import('./export-ui.ts')
      return runExportUi(rest)
    }
    default: {
      const { findUserCommand, runUserCommand } = await import('./user-commands.ts')
      const user = findUserCommand(command)
      if (user !== undefined) {
        // a transfer churns through megabyte buffers as the daemon's requests do: the same heap tuning
        const { tuneHeapGrowth } = await import('../server/v8-heap.ts')
        tuneHeapGrowth()
        return runUserCommand(user, rest)
      }
      process.stderr.write(`peergos-ts: unknown command '${command}' (try 'peergos-ts help')\n`)
      return 2
    }
  }
}

/** The main help, or one command's (`peergos-ts help put`). */
async function help(command: string | undefined): Promise<number> {
  const { commandHelp, findUserCommand, userCommandsHelp } = await import('./user-commands.ts')
  if (command === undefined) {
    process.stdout.write(USAGE.replace('{USER_COMMANDS}', userCommandsHelp()))
    return 0
  }
  const user = findUserCommand(command)
  if (user !== undefined) {
    process.stdout.write(commandHelp(user))
    return 0
  }
  if (['daemon', 'token', 'quota', 'pki', 'export-ui'].includes(command)) return main([command, '--help'])
  process.stderr.write(`peergos-ts: unknown command '${command}' (try 'peergos-ts help')\n`)
  return 2
}
