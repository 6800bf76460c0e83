// s3rver on 127.0.0.1 for the S3 tests: starts fixtures/s3-server.mjs in a process of its own (it
// needs --openssl-legacy-provider), hands out fresh buckets, and stops it by closing its stdin.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 's3-server.mjs')

/** s3rver's fixed credentials and the region the stores are opened with. */
export const S3RVER_CREDENTIALS = { region: 'us-east-1', accessKey: 'S3RVER', secretKey: 'S3RVER' } as const

export interface RunningS3rver {
  readonly endpoint: string
  /** An S3 client with s3rver's credentials (for setup and inspection). */
  readonly admin: S3Client
  /** Creates a new empty bucket and returns its name. */
  newBucket(): Promise<string>
  stop(): Promise<void>
}

export async function startS3rver(): Promise<RunningS3rver> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peergos-s3rver-'))
  const child = spawn(process.execPath, ['--openssl-legacy-provider', FIXTURE, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /port (\d+)\n/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.on('exit', (code) => reject(new Error(`s3rver exited with ${code}`)))
  })
  const endpoint = `http://127.0.0.1:${port}`
  const admin = new S3Client({
    endpoint, region: S3RVER_CREDENTIALS.region, forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_CREDENTIALS.accessKey, secretAccessKey: S3RVER_CREDENTIALS.secretKey },
  })
  let buckets = 0
  return {
    endpoint,
    admin,
    async newBucket() {
      const bucket = `blocks-${++buckets}`
      await admin.send(new CreateBucketCommand({ Bucket: bucket }))
      return bucket
    },
    async stop() {
      admin.destroy()
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.on('exit', resolve))
        child.stdin?.end()
        await exited
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
