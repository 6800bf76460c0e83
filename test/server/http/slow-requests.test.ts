// The HTTP server's report of requests that stay open long (slow-requests.ts): a request waiting in its
// handler is reported once while it runs, with its stage, its path without the query string and what
// the process waits on, and again when it ends; one whose body is still arriving is reported in the
// body stage; quick requests are never reported.
import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import type { HttpRequest, HttpResponse } from '../../../src/http/transport.ts'
import { startHttpServer, type RunningHttpServer, type ServedHandler } from '../../../src/server/http/node-server.ts'
import type { SlowRequestReport } from '../../../src/server/http/slow-requests.ts'

let server: RunningHttpServer | undefined
afterEach(async () => {
  await server?.close(100)
  server = undefined
})

function handlerWaitingFor(gate: Promise<void>): ServedHandler {
  const h = (async (req: HttpRequest): Promise<HttpResponse> => {
    if (req.path.endsWith('/wait')) await gate
    return { status: 200, headers: {}, body: new Uint8Array([1]) }
  }) as ServedHandler
  h.maxBodySize = () => 1 << 20
  return h
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(ok()).toBe(true)
}

describe('slow requests', () => {
  it('are reported while they wait in the handler and when they end; quick ones are not', async () => {
    const reports: SlowRequestReport[] = []
    let open = (): void => undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    server = await startHttpServer(handlerWaitingFor(gate), { slowRequests: { afterMs: 100, report: (r) => reports.push(r) } })
    expect((await fetch(`${server.url}/api/v0/quick?secret=x`, { method: 'POST' })).status).toBe(200)
    const slow = fetch(`${server.url}/api/v0/wait?auth=secret`, { method: 'POST', body: new Uint8Array(10) })
    await until(() => reports.length === 1)
    expect(reports[0]).toMatchObject({ method: 'POST', path: '/api/v0/wait', stage: 'handler', state: 'running' })
    expect(reports[0].ms).toBeGreaterThanOrEqual(100)
    expect(Object.keys(reports[0].waitingOn).length).toBeGreaterThan(0)
    expect(JSON.stringify(reports)).not.toContain('secret')
    open()
    expect((await slow).status).toBe(200)
    await until(() => reports.length === 2)
    expect(reports[1]).toMatchObject({ path: '/api/v0/wait', state: 'ended' })
    expect(reports[1].ms).toBeGreaterThanOrEqual(reports[0].ms)
  })

  it('name the body stage while the body is still arriving', async () => {
    const reports: SlowRequestReport[] = []
    server = await startHttpServer(handlerWaitingFor(Promise.resolve()), { slowRequests: { afterMs: 100, report: (r) => reports.push(r) } })
    const { port } = server
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v0/upload', headers: { 'Content-Length': 4 } })
    const done = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
    })
    req.write(new Uint8Array(2))
    await until(() => reports.length === 1)
    expect(reports[0]).toMatchObject({ path: '/api/v0/upload', stage: 'body', state: 'running' })
    req.end(new Uint8Array(2))
    expect(await done).toBe(200)
    await until(() => reports.length === 2)
    expect(reports[1]).toMatchObject({ stage: 'reply', state: 'ended' })
  })
})
