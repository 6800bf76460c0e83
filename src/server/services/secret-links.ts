// link/get (reference §1.4, §7.3; Peergos SecretLinkStorage.getSecretLink): the owner's WriterData
// `links` CHAMP maps sha256(label) to a SecretLinkTarget; the server refuses expired links and counts
// retrievals against the link's maximum atomically before handing out the EncryptedCapability.
import type { Champ } from '../../champ/champ.ts'
import type { EncryptedCapability } from '../../model/encrypted-capability.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { secretLinkChampKey } from '../../model/secret-link.ts'
import { decodeSecretLinkTarget, isSecretLinkExpired } from '../../model/secret-link-target.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { SecretLinkUnavailableError } from '../../services/errors.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import type { LinkCountStore } from '../db/link-count-store.ts'
import type { WriterDataCache } from './writer-data-cache.ts'
import type { CID } from '../../codec/cid.ts'

export interface SecretLinkDeps {
  readonly crypto: CryptoProvider
  readonly blocks: ServerBlockStore
  readonly champ: Champ
  readonly writerData: WriterDataCache
  readonly linkCounts: LinkCountStore
  readonly usernameOf: (owner: PublicKeyHash) => Promise<string | undefined>
  readonly currentTarget: (writer: PublicKeyHash) => Promise<CID | undefined>
  readonly nowSeconds: () => number
}

export async function getSecretLink(d: SecretLinkDeps, owner: PublicKeyHash, label: number): Promise<EncryptedCapability> {
  if (!Number.isSafeInteger(label)) throw new SecretLinkUnavailableError('No secret link present!')
  const username = await d.usernameOf(owner)
  if (username === undefined) throw new SecretLinkUnavailableError('No secret link present!')
  const target = await d.currentTarget(owner)
  const links = target === undefined ? undefined : (await d.writerData.get(target)).secretLinks
  if (links === undefined) throw new SecretLinkUnavailableError('No secret link published!')
  const value = await d.champ.get(links, secretLinkChampKey(d.crypto, label))
  const block = value === undefined ? undefined : await d.blocks.get(value)
  if (block === undefined) throw new SecretLinkUnavailableError('No secret link present!')
  const link = decodeSecretLinkTarget(block)
  if (isSecretLinkExpired(link, d.nowSeconds())) throw new SecretLinkUnavailableError('Secret link expired!')
  const count = await d.linkCounts.increment(username, label, link.maxRetrievals)
  if (count === undefined) throw new SecretLinkUnavailableError('Maximum link retrievals exceed!')
  return link.cap
}
