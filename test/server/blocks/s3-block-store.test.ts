// S3BlockStore against s3rver on 127.0.0.1: the conformance suite (with and without a key prefix),
// Peergos' S3 key layout (<path>/<user>/<KEY>, legacy <path>/<KEY>), paginated index rebuilds,
// foreign objects, and typed errors when S3 is unreachable.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CID } from '../../../src/codec/cid.ts'
import { cidToString } from '../../../src/codec/cid.ts'
import { LEGACY_OWNER, cidToKey } from '../../../src/server/blocks/block-key.ts'
import { S3BlockStore, normalisePrefix, type S3BlockStoreOptions } from '../../../src/server/blocks/s3-block-store.ts'
import { runBlockStoreConformance } from './block-store-conformance.ts'
import { base32Rfc4648, crypto, expectBytes, makeBlock } from './helpers.ts'
import { startS3rver, type RunningS3rver } from './s3rver.ts'

let s3: RunningS3rver | undefined
let endpoint: string
let admin: S3Client

beforeAll(async () => {
  s3 = await startS3rver()
  endpoint = s3.endpoint
  admin = s3.admin
}, 30_000)
afterAll(async () => {
  await s3?.stop()
})

async function newBucket(): Promise<string> {
  return s3!.newBucket()
}

function options(bucket: string, prefix: string, extra: Partial<S3BlockStoreOptions> = {}): S3BlockStoreOptions {
  return { endpoint, bucket, prefix, region: 'us-east-1', accessKey: 'S3RVER', secretKey: 'S3RVER', ...extra }
}

async function listKeys(bucket: string): Promise<string[]> {
  const r = await admin.send(new ListObjectsV2Command({ Bucket: bucket }))
  return (r.Contents ?? []).map((o) => o.Key ?? '').sort()
}

function s3Harness(prefix: string) {
  return async () => {
    const bucket = await newBucket()
    const c = await crypto()
    let store = await S3BlockStore.open({ ...options(bucket, prefix), crypto: c })
    return {
      get store() {
        return store
      },
      async reopen() {
        await store.close()
        store = await S3BlockStore.open({ ...options(bucket, prefix, { listPageSize: 3 }), crypto: c })
        return store
      },
      async tamper(ownerDir: string, cid: CID, mutate: (b: Uint8Array) => Uint8Array) {
        const Key = store.objectKey(ownerDir, cid)
        const r = await admin.send(new GetObjectCommand({ Bucket: bucket, Key }))
        const bytes = await r.Body!.transformToByteArray()
        await admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: mutate(bytes) }))
      },
      async cleanup() {},
    }
  }
}

runBlockStoreConformance('S3BlockStore (no prefix)', s3Harness(''))
runBlockStoreConformance('S3BlockStore (prefix data/peergos)', s3Harness('data/peergos'))

describe('S3BlockStore keys and index', () => {
  it('normalises the prefix like Peergos s3.path', () => {
    expect(normalisePrefix(undefined)).toBe('')
    expect(normalisePrefix('')).toBe('')
    expect(normalisePrefix('data')).toBe('data/')
    expect(normalisePrefix('data/')).toBe('data/')
  })

  it('stores blocks at <path>/<user>/<KEY> and reads legacy <path>/<KEY> objects', async () => {
    const bucket = await newBucket()
    const store = await S3BlockStore.open({ ...options(bucket, 'data'), crypto: await crypto() })
    const a = await makeBlock(1000, true)
    const b = await makeBlock(10, false)
    await store.put('alice', a.cid, a.bytes)
    await store.put('bob', b.cid, b.bytes)
    const legacy = await makeBlock(300)
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `data/${base32Rfc4648(legacy.cid.bytes)}`, Body: legacy.bytes }))
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/README', Body: 'x' }))
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/alice/not-a-key', Body: 'x' }))
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `other/alice/${cidToKey(legacy.cid)}`, Body: legacy.bytes }))
    expect(await listKeys(bucket)).toContain(`data/alice/${base32Rfc4648(a.cid.bytes)}`)
    expect(await listKeys(bucket)).toContain(`data/bob/${base32Rfc4648(b.cid.bytes)}`)
    await store.close()

    const again = await S3BlockStore.open({ ...options(bucket, 'data/', { listPageSize: 2 }), crypto: await crypto() })
    const entries: string[] = []
    for await (const e of again.entries()) entries.push(`${e.ownerDir}:${cidToString(e.cid)}`)
    expect(entries.sort()).toEqual([`alice:${cidToString(a.cid)}`, `bob:${cidToString(b.cid)}`, `${LEGACY_OWNER}:${cidToString(legacy.cid)}`].sort())
    expectBytes(await again.get(legacy.cid), legacy.bytes)
    expectBytes(await again.get(a.cid), a.bytes)
    await again.close()
  })

  it('rebuilds a many-page index (continuation tokens)', async () => {
    const bucket = await newBucket()
    const store = await S3BlockStore.open({ ...options(bucket, ''), crypto: await crypto() })
    const blocks = await Promise.all(Array.from({ length: 25 }, () => makeBlock(64)))
    await store.putMany('alice', blocks)
    await store.close()
    const again = await S3BlockStore.open({ ...options(bucket, '', { listPageSize: 4 }), crypto: await crypto() })
    let n = 0
    for await (const _ of again.list()) n++
    expect(n).toBe(25)
    for (const b of blocks) expect(await again.has(b.cid)).toBe(true)
    await again.close()
  })

  it('fails with BlockStoreIOError when S3 is unreachable', async () => {
    const opts = { ...options('nope', ''), endpoint: 'http://127.0.0.1:1', crypto: await crypto() }
    await expect(S3BlockStore.open(opts)).rejects.toMatchObject({ name: 'BlockStoreIOError' })
  })
})
