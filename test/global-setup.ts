// Runs once before the test files: rebuilds the command-line bundle (dist/cli) from the current
// sources, so that the many tests that run `node bin/peergos-ts.js` start it in a fraction of the
// time tsx needs to compile the sources (bin/peergos-ts.js falls back to the sources if it is stale).
export default async function setup(): Promise<void> {
  const { buildCli } = (await import('../scripts/build-cli.mjs' as string)) as { buildCli: () => Promise<unknown> }
  await buildCli()
}
