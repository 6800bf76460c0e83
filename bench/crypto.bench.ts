// Crypto figures: secretbox throughput (5 MiB) for both providers, Ed25519 sign and verify rates,
// SHA-256 throughput and the Peergos login scrypt (N=2^17, r=8, p=1, 64 bytes).
import { createNodeCrypto } from '../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../src/crypto/providers/portable.ts'
import { loginScrypt } from '../src/crypto/peergos.ts'
import type { CryptoProvider } from '../src/crypto/provider.ts'
import { mbps, medianMs, opsPerSec, type Figure } from './figures.ts'

const FIVE_MIB = 5 * 1024 * 1024

async function secretboxMBps(c: CryptoProvider): Promise<number> {
  const key = c.randomBytes(32)
  const nonce = c.randomBytes(24)
  const data = c.randomBytes(FIVE_MIB)
  c.secretbox(data, nonce, key)
  return mbps(FIVE_MIB, await medianMs(40, () => c.secretbox(data, nonce, key)))
}

export async function run(): Promise<Figure[]> {
  const node = await createNodeCrypto()
  const portable = await createPortableCrypto()
  const figures: Figure[] = [
    { name: 'crypto.secretbox.node.MBps', value: await secretboxMBps(node), unit: 'MB/s (5 MiB seal)' },
    { name: 'crypto.secretbox.portable.MBps', value: await secretboxMBps(portable), unit: 'MB/s (5 MiB seal)' },
  ]

  const kp = node.signKeyPairFromSeed(node.randomBytes(32))
  const msg = node.randomBytes(256)
  const signed = node.signAttached(msg, kp.secretKey)
  figures.push({ name: 'crypto.ed25519.sign.perSec', value: opsPerSec(() => node.signAttached(msg, kp.secretKey)), unit: 'signatures/s (256 B, node)' })
  figures.push({ name: 'crypto.ed25519.verify.perSec', value: opsPerSec(() => node.openAttached(signed, kp.publicKey)), unit: 'verifications/s (256 B, node)' })

  const data = node.randomBytes(FIVE_MIB)
  node.sha256(data)
  figures.push({ name: 'crypto.sha256.MBps', value: mbps(FIVE_MIB, await medianMs(15, () => node.sha256(data))), unit: 'MB/s (5 MiB, node)' })

  const params = { memoryCost: 17, cpuCost: 8, parallelism: 1, outputBytes: 64, extraSalt: 'b93f677a520bfb2a69a9c3c825f23524c641106041cfd11fc3308ff54f9be8ee' }
  await loginScrypt(node, 'alice', 'correct horse battery staple', params)
  const scryptMs = await medianMs(5, () => loginScrypt(node, 'alice', 'correct horse battery staple', params))
  figures.push({ name: 'crypto.scrypt.login.ms', value: scryptMs, unit: 'ms (N=2^17 r=8 p=1, 64 B, node)' })
  return figures
}
