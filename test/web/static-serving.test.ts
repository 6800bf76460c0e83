// The daemon's static serving of the web UI (server/http/static-files.ts) over real sockets, with a
// web root of our own: GET/HEAD only, never under /api, /peergos or /p2p, no traversal however
// encoded, content types (wasm and workers included), the security headers on every reply, and a
// 503 saying how to build when the root is missing. Then `peergos-ts export-ui DIR`.
import { request } from 'node:http'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.ts'
import { CONTENT_SECURITY_POLICY, staticFilePath } from '../../src/server/http/static-files.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One request with the path exactly as given (fetch would normalise dot segments away). */
function raw(base: string, method: string, path: string): Promise<Reply> {
  const u = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { Host: u.host } }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('static serving of the web UI', () => {
  let root: string
  let outside: string
  let d: TestDaemon
  let missing: TestDaemon

  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'pts-web-'))
    root = join(outside, 'site')
    await mkdir(join(root, 'assets'), { recursive: true })
    await writeFile(join(root, 'index.html'), '<!doctype html><title>t</title><script type="module" src="./assets/app-abcdefgh.js"></script>')
    await writeFile(join(root, 'assets', 'app-abcdefgh.js'), 'export {}')
    await writeFile(join(root, 'assets', 'crypto.wasm'), new Uint8Array([0, 97, 115, 109]))
    await writeFile(join(root, 'assets', 'style.css'), 'body{}')
    await writeFile(join(root, 'sw.js'), 'self')
    await writeFile(join(root, '.env'), 'SECRET=1')
    await writeFile(join(outside, 'secret.txt'), 'outside the root')
    d = await startTestDaemon(['--web-root', root])
    missing = await startTestDaemon(['--web-root', join(outside, 'nothing-here')])
  })

  afterAll(async () => {
    await d?.close()
    await missing?.close()
    await rm(outside, { recursive: true, force: true })
  })

  it('serves index.html at / with the security headers', async () => {
    const r = await raw(d.daemon.url, 'GET', '/')
    expect(r.status).toBe(200)
    expect(r.body).toContain('<title>t</title>')
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.headers['referrer-policy']).toBe('no-referrer')
    expect(r.headers['cache-control']).toBe('no-cache')
    const head = await raw(d.daemon.url, 'HEAD', '/index.html')
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect(head.headers['content-length']).toBe(String(r.body.length))
  })

  it('gives scripts, workers, wasm and styles their content types', async () => {
    const js = await raw(d.daemon.url, 'GET', '/assets/app-abcdefgh.js')
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toContain('immutable')
    expect((await raw(d.daemon.url, 'GET', '/sw.js')).headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await raw(d.daemon.url, 'GET', '/assets/crypto.wasm')).headers['content-type']).toBe('application/wasm')
    expect((await raw(d.daemon.url, 'GET', '/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8')
  })

  it('refuses traversal, dot files and encoded tricks', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/%2E%2E/%2E%2E/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/.env', '/assets/%00.js', '/%']) {
      const r = await raw(d.daemon.url, 'GET', path)
      expect(r.status, path).not.toBe(200)
      expect(r.body, path).not.toContain('outside the root')
      expect(r.body, path).not.toContain('SECRET')
    }
    expect(staticFilePath('/srv/web', '/a/../../etc/passwd')).toBeUndefined()
    expect(staticFilePath('/srv/web', '/')).toBe('/srv/web/index.html')
  })

  it('leaves the API, the p2p gateway and other methods alone', async () => {
    // a POST to / is the API's (which has no such route), never the page
    const post = await raw(d.daemon.url, 'POST', '/')
    expect(post.body).not.toContain('<title>t</title>')
    const api = await raw(d.daemon.url, 'GET', '/api/v0/id')
    expect(api.headers['content-security-policy']).toBeUndefined()
    const peergos = await raw(d.daemon.url, 'GET', '/peergos/v0/core/getChain')
    expect(peergos.headers['content-security-policy']).toBeUndefined()
    // a GET of the API through the gateway is refused (403, as Nabu); the UI's files through our own
    // peer id are served here, like any path of our own
    const p2pApi = await raw(d.daemon.url, 'GET', `/p2p/${d.daemon.identity.peerIdString}/http/api/v0/id`)
    expect(p2pApi.status).toBe(403)
    expect(p2pApi.headers['content-security-policy']).toBeUndefined()
    const p2pPage = await raw(d.daemon.url, 'GET', `/p2p/${d.daemon.identity.peerIdString}/http/`)
    expect(p2pPage.status).toBe(200)
    expect(p2pPage.body).toContain('<title>t</title>')
    expect(p2pPage.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect((await raw(d.daemon.url, 'GET', `/p2p/${d.daemon.identity.peerIdString}/http/../../secret.txt`)).body).not.toContain('outside the root')
    // the API still works beside the UI
    expect(await d.net.coreNode.getUsernames('')).toEqual([])
  })

  it('says how to build the UI when the web root is missing', async () => {
    const r = await raw(missing.daemon.url, 'GET', '/')
    expect(r.status).toBe(503)
    expect(r.body).toContain('npm run build:web')
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect((await raw(missing.daemon.url, 'GET', '/assets/x.js')).status).toBe(404)
  })

  it('export-ui writes the bundle to a directory', async () => {
    const out = join(outside, 'exported')
    expect(await main(['export-ui', out])).toBe(0)
    expect(existsSync(join(out, 'sw.js'))).toBe(true)
    const html = await readFile(join(out, 'index.html'), 'utf8')
    expect(html).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/)
    expect(await main(['export-ui'])).toBe(2)
  }, 180_000)
})
