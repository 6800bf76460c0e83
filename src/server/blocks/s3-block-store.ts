// S3BlockStore: blocks in any S3-compatible bucket under Peergos' S3BlockStorage keys,
// `<path>/<username>/<KEY>` (legacy: `<path>/<KEY>`), KEY = DirectS3BlockStore.hashToKey
// (reference §8.1). PutObject is atomic, so there are no temp objects; reads are re-hashed.
import { Readable } from 'node:stream'
import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3'
import { cidToString, type CID } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { createNodeCrypto } from '../../crypto/providers/node.ts'
import { MAX_BLOCK_SIZE } from '../../services/content-addressed-storage.ts'
import { LEGACY_OWNER, cidToKey, isValidOwnerDir, looksLikeKey } from './block-key.ts'
import { BlockStoreFullError, BlockStoreIOError, CorruptBlockError } from './errors.ts'
import { IndexedBlockStore, type CopyDeletion } from './indexed-block-store.ts'
import { WRITE_TIME_SLACK_MS, type DeleteOptions } from './server-block-store.ts'
import { matchesCid } from './verify.ts'

export interface S3BlockStoreOptions {
  readonly bucket: string
  /** Default us-east-1. */
  readonly region?: string
  /** A custom endpoint such as http://127.0.0.1:9000; path-style addressing is then used. */
  readonly endpoint?: string
  /** Static credentials; without them the SDK's default chain (environment, profile...) applies. */
  readonly accessKey?: string
  readonly secretKey?: string
  /** Peergos' `s3.path`: a key prefix for every block, normalised to end with '/'. */
  readonly prefix?: string
  /** Default: true when `endpoint` is set. */
  readonly forcePathStyle?: boolean
  readonly crypto?: CryptoProvider
  /** A ready client (then the options above other than bucket and prefix are ignored). */
  readonly client?: S3Client
  /** Requests in flight in putMany (default 8). */
  readonly writeConcurrency?: number
  /** Keys per ListObjectsV2 page when building the index (default 1000, the S3 maximum). */
  readonly listPageSize?: number
}

/** Peergos' folder rule: '' stays '', anything else ends with exactly the '/' it was given or gains one. */
export function normalisePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return ''
  return prefix.endsWith('/') ? prefix : `${prefix}/`
}

function is404(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } } | null
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404
}

function s3Error(e: unknown, what: string): Error {
  const err = e as { name?: string; message?: string } | null
  const name = err?.name ?? 'Error'
  const message = `S3 failed to ${what}: ${name}: ${err?.message ?? String(e)}`
  if (name === 'QuotaExceeded' || name === 'InsufficientStorage' || name === 'XMinioStorageFull') return new BlockStoreFullError(message, { cause: e })
  return new BlockStoreIOError(message, name, { cause: e })
}

/**
 * The CID → owner index is built at open by listing the prefix (1000 keys per request), so this
 * process must be the only writer of that prefix, as with FileBlockStore.
 */
export class S3BlockStore extends IndexedBlockStore {
  private constructor(
    private readonly client: S3Client,
    private readonly ownsClient: boolean,
    readonly bucket: string,
    readonly prefix: string,
    crypto: CryptoProvider,
    writeConcurrency: number,
  ) {
    super(crypto, writeConcurrency)
  }

  /** Connects and lists the bucket prefix to build the CID index. */
  static async open(options: S3BlockStoreOptions): Promise<S3BlockStore> {
    const client = options.client ?? new S3Client({
      region: options.region ?? 'us-east-1',
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      credentials: options.accessKey !== undefined && options.secretKey !== undefined
        ? { accessKeyId: options.accessKey, secretAccessKey: options.secretKey }
        : undefined,
      // We verify sha-256 ourselves; CRC trailers break several S3-compatible servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
    const crypto = options.crypto ?? (await createNodeCrypto())
    const store = new S3BlockStore(client, options.client === undefined, options.bucket, normalisePrefix(options.prefix), crypto, options.writeConcurrency ?? 8)
    await store.rebuildIndex(options.listPageSize ?? 1000)
    return store
  }

  /** The object key of a copy: prefix + (owner + '/') + KEY. */
  objectKey(ownerDir: string, cid: CID): string {
    return this.keyFor(ownerDir, cidToKey(cid))
  }

  private keyFor(ownerDir: string, key: string): string {
    return ownerDir === LEGACY_OWNER ? this.prefix + key : `${this.prefix}${ownerDir}/${key}`
  }

  private async rebuildIndex(pageSize: number): Promise<void> {
    let token: string | undefined
    do {
      let page
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token, MaxKeys: pageSize }))
      } catch (e) {
        throw s3Error(e, `list ${this.bucket}/${this.prefix}`)
      }
      for (const o of page.Contents ?? []) {
        const rest = o.Key?.slice(this.prefix.length) ?? ''
        const slash = rest.indexOf('/')
        const owner = slash < 0 ? LEGACY_OWNER : rest.slice(0, slash)
        const key = rest.slice(slash + 1)
        if ((owner === LEGACY_OWNER || isValidOwnerDir(owner)) && looksLikeKey(key)) this.index.add(key, owner)
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  /** Always a full PutObject: idempotent, refreshes LastModified for the GC guard, and heals a corrupt copy. */
  protected async store(ownerDir: string, cid: CID, bytes: Uint8Array, _expectSha256?: Uint8Array, visibleAfter?: Promise<unknown>): Promise<void> {
    await visibleAfter // an object is visible once written: nothing is sent before
    const key = cidToKey(cid)
    return this.locks.run(`${ownerDir}/${key}`, async () => {
      const objectKey = this.keyFor(ownerDir, key)
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: bytes, ContentLength: bytes.length, ContentType: 'application/octet-stream' }))
      } catch (e) {
        throw s3Error(e, `put ${objectKey}`)
      }
      this.index.add(key, ownerDir)
    })
  }

  /** The object's bytes, undefined when absent, null when it is over MAX_BLOCK_SIZE (not downloaded). */
  private async fetch(objectKey: string): Promise<Uint8Array | undefined | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }))
      if (res.Body === undefined) return new Uint8Array(0)
      if ((res.ContentLength ?? 0) > MAX_BLOCK_SIZE) {
        if (res.Body instanceof Readable) res.Body.destroy()
        return null
      }
      return await res.Body.transformToByteArray()
    } catch (e) {
      if (is404(e)) return undefined
      throw s3Error(e, `get ${objectKey}`)
    }
  }

  /**
   * A copy that fails its hash is fetched once more (to rule out corruption in transit), then
   * reported as CorruptBlockError. It is left in the bucket: the next put overwrites (heals) it.
   */
  protected async getStored(cid: CID, key: string): Promise<Uint8Array | undefined> {
    let corrupt: CorruptBlockError | undefined
    for (const owner of this.index.ownersOf(key)) {
      const objectKey = this.keyFor(owner, key)
      for (let attempt = 0; attempt < 2; attempt++) {
        const bytes = await this.fetch(objectKey)
        if (bytes === undefined) break
        if (bytes !== null && (await matchesCid(this.crypto, cid, bytes))) return bytes
        if (attempt === 1) corrupt = new CorruptBlockError(`Stored block ${cidToString(cid)} at s3://${this.bucket}/${objectKey} fails its hash`, cidToString(cid))
      }
    }
    if (corrupt !== undefined) throw corrupt
    return undefined
  }

  private async head(objectKey: string): Promise<{ size: number; modified: number } | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }))
      return { size: res.ContentLength ?? 0, modified: res.LastModified?.getTime() ?? 0 }
    } catch (e) {
      if (is404(e)) return undefined
      throw s3Error(e, `head ${objectKey}`)
    }
  }

  protected async sizeOfCopy(owner: string, key: string): Promise<number | undefined> {
    return (await this.head(this.keyFor(owner, key)))?.size
  }

  protected async deleteCopy(owner: string, key: string, options: DeleteOptions): Promise<CopyDeletion> {
    const objectKey = this.keyFor(owner, key)
    if (options.notWrittenSince !== undefined) {
      const h = await this.head(objectKey)
      if (h === undefined) return 'absent'
      if (h.modified >= options.notWrittenSince - WRITE_TIME_SLACK_MS) return 'kept'
    }
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }))
    } catch (e) {
      if (!is404(e)) throw s3Error(e, `delete ${objectKey}`)
    }
    return 'deleted'
  }

  override async close(): Promise<void> {
    await super.close()
    if (this.ownsClient) this.client.destroy()
  }
}
