// `peergos-ts daemon`: starts the home server. Until the server layer lands (issue: home server),
// it reports what this build contains and exits successfully.
export async function runDaemon(_args: string[]): Promise<number> {
  process.stdout.write(
    'peergos-ts: this build contains the core (crypto providers, Peergos CBOR formats, CHAMP, cryptree reader).\n' +
    'The home server (blocks, pointers, logins and the Peergos HTTP API) is the next milestone; nothing to serve yet.\n',
  )
  return 0
}
