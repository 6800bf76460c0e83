// Every conformance suite with blocks in S3BlockStore on s3rver (rows in SQLite files): the storage and
// pointer suites locally and through HTTP, the account, social, BAT and PKI suites (whose signups and
// password changes write blocks) locally.
import { afterAll, beforeAll } from 'vitest'
import { startS3rver, type RunningS3rver } from '../server/blocks/s3rver.ts'
import { openBundleOn } from '../server/services/local-bundle.ts'
import { s3Backend } from './backends.ts'
import { runContentAddressedStorageSuite } from './content-addressed-storage.suite.ts'
import { runMutablePointersSuite } from './mutable-pointers.suite.ts'
import { runAccountSuite } from './account.suite.ts'
import { runBatCaveSuite } from './bat-cave.suite.ts'
import { runCoreNodeSuite } from './core-node.suite.ts'
import { bundleOverHttp } from './over-http.ts'
import { openServicesStack } from './services-stack.ts'
import { runSocialNetworkSuite } from './social-network.suite.ts'

let s3: RunningS3rver | undefined
beforeAll(async () => {
  s3 = await startS3rver()
}, 30_000)
afterAll(async () => {
  await s3?.stop()
})

const bundle = () => openBundleOn(s3Backend(s3!))
runContentAddressedStorageSuite('local (SQLite + S3BlockStore)', bundle)
runMutablePointersSuite('local (SQLite + S3BlockStore)', bundle)
runContentAddressedStorageSuite('HTTP → local (SQLite + S3BlockStore)', async () => bundleOverHttp(await bundle()))
runMutablePointersSuite('HTTP → local (SQLite + S3BlockStore)', async () => bundleOverHttp(await bundle()))

// A fresh stack (bucket, databases, PKI) per test: locally only, the HTTP path of these suites runs in http.test.ts.
const stack = () => openServicesStack(s3Backend(s3!))
runCoreNodeSuite('local (SQLite + S3BlockStore)', stack)
runAccountSuite('local (SQLite + S3BlockStore)', stack)
runSocialNetworkSuite('local (SQLite + S3BlockStore)', stack)
runBatCaveSuite('local (SQLite + S3BlockStore)', stack)
