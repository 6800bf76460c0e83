// The command line on an account with a second factor: `login` refuses without a code (it cannot
// prompt without a terminal) and succeeds with the current TOTP code from PEERGOS_MFA_CODE.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { enableTotp, mfaUserOf, totpCode } from '../../src/client/mfa.ts'
import { signIn } from '../../src/client/sign-in.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { httpNetworkServices } from '../../src/http/clients/network.ts'
import { NodePoster } from '../../src/server/http/node-poster.ts'
import type { TotpKey } from '../../src/model/totp-key.ts'
import { cli, expectFailure, startTestDaemon } from './cli-env.ts'

const PASSWORD = 'a long and unusual password'
const STEP = 30_000
let env: Awaited<ReturnType<typeof startTestDaemon>>
let poster: NodePoster
let key: TotpKey

async function awayFromStepEnd(): Promise<void> {
  const left = STEP - (Date.now() % STEP)
  if (left < 4000) await new Promise((r) => setTimeout(r, left + 100))
}

beforeAll(async () => {
  env = await startTestDaemon()
  poster = new NodePoster(env.daemon.url)
  const net = { crypto: env.daemon.crypto, ...httpNetworkServices(poster) }
  await UserContext.signUp(net, 'alice', PASSWORD)
  const user = mfaUserOf(await signIn(net, 'alice', PASSWORD))
  key = (await enableTotp(net, user, async (setup) => {
    await awayFromStepEnd()
    return totpCode(net.crypto, setup.key)
  })).key
}, 120_000)
afterAll(async () => {
  poster?.close()
  await env?.close()
})

it('needs the second factor, and accepts the TOTP code from PEERGOS_MFA_CODE', async () => {
  const base = { PEERGOS_PASSWORD: PASSWORD }
  expectFailure(await cli(['login', '--server', env.daemon.url, '-u', 'alice'], base), 1, /terminal|code/i, [PASSWORD])
  await awayFromStepEnd()
  const ok = await cli(['login', '--server', env.daemon.url, '-u', 'alice'], { ...base, PEERGOS_MFA_CODE: totpCode(env.daemon.crypto, key) })
  expect(ok.code, ok.err).toBe(0)
}, 120_000)
