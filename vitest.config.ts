// Test runner configuration: Node environment, the CLI bundle built once, polyfills first, generous
// timeouts for scrypt, two files at a time.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // two test files at a time: most of them wait on daemons, browsers and child processes
    maxWorkers: 2,
  },
})
