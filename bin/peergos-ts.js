#!/usr/bin/env node
// Entry point of the `peergos-ts` command: loads the TypeScript sources through tsx's loader
// (no build step), then runs the CLI.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
