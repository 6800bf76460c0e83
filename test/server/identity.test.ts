// Server identity: created once, persisted with mode 0600, reloaded identically; its peer id has
// the libp2p Ed25519 form; a corrupt key file is refused with a typed error.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cidToString } from '../../src/codec/cid.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { IDENTITY_FILE, ServerIdentityError, loadOrCreateServerIdentity } from '../../src/server/identity.ts'

describe('server identity', () => {
  let c: CryptoProvider
  beforeAll(async () => {
    c = await createNodeCrypto()
  })

  it('is created once and reloaded identically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pts-id-'))
    const a = await loadOrCreateServerIdentity(c, dir)
    const b = await loadOrCreateServerIdentity(c, dir)
    expect(cidToString(b.id)).toBe(cidToString(a.id))
    expect(a.peerIdString).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/)
    expect(cidToString(a.id)).toMatch(/^z/)
    expect((await stat(join(dir, IDENTITY_FILE))).mode & 0o777).toBe(0o600)
    expect((await readFile(join(dir, IDENTITY_FILE))).length).toBe(68)
  })

  it('refuses a corrupt key file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pts-id-'))
    await writeFile(join(dir, IDENTITY_FILE), new Uint8Array(68))
    await expect(loadOrCreateServerIdentity(c, dir)).rejects.toThrow(ServerIdentityError)
  })
})
