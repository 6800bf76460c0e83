// Uploads reuse their fragment buffers (given back once each chunk's put completed): against a real
// daemon over HTTP, files of several chunks written one after another and two at once all read back
// byte for byte, so a reused buffer never carries another chunk's bytes or envelope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserContext } from '../../src/client/user-context.ts'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const MiB = 1024 * 1024

let env: TestDaemon
let user: UserContext

beforeAll(async () => {
  env = await startTestDaemon()
  user = await UserContext.signUp(env.net, 'bufalice', 'a long and unusual password')
  await user.fs.mkdir('/bufalice/t')
}, 120_000)
afterAll(async () => {
  await env?.close()
})

describe('fragment buffers reused across chunks and files', () => {
  it('writes files of several chunks in a row and reads each back unchanged', async () => {
    const files = [pattern(16 * MiB + 7, 11), pattern(21 * MiB, 12), pattern(5 * MiB + 1, 13)]
    for (const [i, data] of files.entries()) await user.fs.writeFile(`/bufalice/t/seq${i}`, data)
    for (const [i, data] of files.entries()) expect(sha256Hex(await user.fs.readFileBytes(`/bufalice/t/seq${i}`))).toBe(sha256Hex(data))
  }, 120_000)

  it('writes two files at once, sharing the buffers, and both read back unchanged', async () => {
    const a = pattern(13 * MiB + 3, 21)
    const b = pattern(11 * MiB + 5, 22)
    await Promise.all([user.fs.writeFile('/bufalice/t/a', a), user.fs.writeFile('/bufalice/t/b', b)])
    expect(sha256Hex(await user.fs.readFileBytes('/bufalice/t/a'))).toBe(sha256Hex(a))
    expect(sha256Hex(await user.fs.readFileBytes('/bufalice/t/b'))).toBe(sha256Hex(b))
  }, 120_000)
})
