// The router without a network (reference §7.2, §7.3): dispatch by Peergos prefix, exact method
// names only (404 otherwise, never a file), POST-only unless public (405), per-route body limits,
// malformed bodies and parameters as 400 with a Trailer message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { cidToString } from '../../src/codec/cid.ts'
import { DataOutputWriter } from '../../src/codec/data-output.ts'
import { ERROR_CLASS_HEADER } from '../../src/http/errors.ts'
import { createApiHandler, type ApiHandler, type ApiServices } from '../../src/http/router.ts'
import { parseTarget, type HttpRequest } from '../../src/http/transport.ts'
import { javaUrlDecode } from '../../src/http/url-encoding.ts'
import { openServicesStack, type ServicesStack } from '../conformance/services-stack.ts'
import { openLocalBundle, type LocalBundle } from '../server/services/local-bundle.ts'

function request(method: string, target: string, body: Uint8Array = new Uint8Array(0)): HttpRequest {
  return { method, ...parseTarget(target), headers: new Map(), body }
}

/** `service` with every method call counted (the real service still answers). */
function counted<T extends object>(service: T, count: () => void): T {
  return new Proxy(service, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown
      return typeof v === 'function' ? (...args: unknown[]) => { count(); return (v as (...a: unknown[]) => unknown).apply(target, args) } : v
    },
  })
}

describe('createApiHandler (on the real local services)', () => {
  let api: ApiHandler
  let publicApi: ApiHandler
  let bundle: LocalBundle
  let stack: ServicesStack
  let calls = 0
  const owner = 'z59vuwzfFDomiyZtssh2DZG4cjAGNMaPVtwPmuTNWYokEjS2vYpQhDV'

  beforeAll(async () => {
    bundle = await openLocalBundle()
    stack = await openServicesStack()
    const count = (): void => { calls++ }
    const services: ApiServices = {
      storage: counted(bundle.storage, count), pointers: counted(bundle.pointers, count), coreNode: counted(stack.coreNode, count),
      account: counted(stack.account, count), social: counted(stack.social, count), batCave: counted(stack.batCave, count),
    }
    api = createApiHandler(services)
    publicApi = createApiHandler(services, { publicServer: true })
  })
  afterAll(async () => {
    await bundle?.close()
    await stack?.close()
  })

  it('answers id as Peergos does: JSON {"ID": <cid>}', async () => {
    const before = calls
    const r = await api(request('POST', '/api/v0/id'))
    expect(calls).toBe(before + 1)
    expect(r.status).toBe(200)
    expect(r.headers['Content-Type']).toBe('application/json')
    expect(new TextDecoder().decode(r.body)).toBe(`{"ID":"${cidToString(bundle.serverId)}"}`)
  })

  it('404s unknown paths, extra segments, traversal and prototype names, without calling a service', async () => {
    const before = calls
    for (const path of ['/api/v0/../../etc/passwd', '/api/v0/id/../ids', '/api/v0/', '/api/v0//id', '/api/v0/block%2Fget', '/peergos/v0/mutable/getPointer/x',
      '/peergos/v0/mutable/__proto__', '/peergos/v0/mutable/constructor', '/peergos/v0/core/getUsernamesGzip/../x', '/etc/passwd', '/', '/api/v1/id',
      '/peergos/v0/admin/version', '/peergos/v0/core/getUsernamesGzip/..']) {
      const r = await api(request('POST', path))
      expect(r.status, path).toBe(404)
      expect(r.body.length).toBe(0)
      expect(r.headers['Content-Type']).toBe('text/plain')
    }
    expect(calls).toBe(before)
  })

  it('is POST-only unless public (HttpUtil.allowedQuery)', async () => {
    const r = await api(request('GET', '/api/v0/id'))
    expect(r.status).toBe(405)
    expect(r.headers.Allow).toBe('POST')
    expect((await publicApi(request('GET', '/api/v0/id'))).status).toBe(200)
    for (const m of ['PUT', 'DELETE', 'HEAD', 'OPTIONS']) expect((await publicApi(request(m, '/api/v0/id'))).status).toBe(405)
  })

  it('exposes per-route body limits for the transport', () => {
    expect(api.maxBodySize('POST', '/peergos/v0/mutable/setPointer')).toBe(1024)
    expect(api.maxBodySize('POST', '/peergos/v0/mutable/setPointers')).toBe(1024 * 1024)
    expect(api.maxBodySize('POST', '/api/v0/block/put/bulk')).toBe(2 * (1024 * 1024 + 100))
    expect(api.maxBodySize('POST', '/peergos/v0/login/setLogin')).toBe(16384)
    expect(api.maxBodySize('POST', '/peergos/v0/social/followRequest')).toBe(4096)
    expect(api.maxBodySize('POST', '/peergos/v0/mutable/getPointer')).toBe(0)
    expect(api.maxBodySize('POST', '/nowhere')).toBe(0)
    expect(api.maxBodySize('GET', '/peergos/v0/mutable/setPointer')).toBe(0)
  })

  it('refuses a body over the route limit with 413 even when handed one', async () => {
    const r = await api(request('POST', `/peergos/v0/mutable/setPointer?owner=${owner}&writer=${owner}`, new Uint8Array(1025)))
    expect(r.status).toBe(413)
    expect(javaUrlDecode(r.headers.Trailer)).toBe('Input exceeds maximum size of 1024 bytes')
  })

  it('replies malformed CBOR and DataOutput bodies as typed 400 errors', async () => {
    let r = await api(request('POST', `/peergos/v0/mutable/setPointers?owner=${owner}`, new Uint8Array([0xa1, 0x61])))
    expect(r.status).toBe(400)
    expect(r.headers[ERROR_CLASS_HEADER]).toMatch(/^Cbor[A-Za-z]*Error$/)
    r = await api(request('POST', `/peergos/v0/mutable/setPointers?owner=${owner}`, encodeCbor(new Map([['p', 'x']]))))
    expect(r.headers[ERROR_CLASS_HEADER]).toBe('CborTypeError')
    r = await api(request('POST', '/peergos/v0/core/getChain', new DataOutputWriter().writeInt(5000).toBytes()))
    expect(r.headers[ERROR_CLASS_HEADER]).toBe('DataFormatError')
    r = await api(request('POST', '/peergos/v0/core/getChain', new DataOutputWriter().writeJavaString('alice').writeByte(0).toBytes()))
    expect(javaUrlDecode(r.headers.Trailer)).toBe('1 trailing bytes')
    r = await api(request('POST', '/api/v0/block/put/bulk?format=raw&owner=' + owner + '&transaction=t1&writer=' + owner, new Uint8Array([0xff])))
    expect(r.status).toBe(400)
  })

  it('replies bad parameters as BadRequestError naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v0/block/get?owner=' + owner, "Expected 1 'arg' parameter(s), got 0"],
      ['/api/v0/block/get?arg=nope&owner=' + owner, "Invalid parameter 'arg': not a CID"],
      ['/api/v0/block/put/bulk?format=zip&owner=' + owner + '&transaction=t&writer=' + owner, "Invalid parameter 'format': expected raw or dag-cbor"],
      ['/api/v0/transaction/close?arg=a%3Cb&owner=' + owner, "Invalid parameter 'arg': not a transaction id"],
      ['/peergos/v0/social/getFollowRequests?owner=' + owner + '&auth=zz', "Invalid parameter 'auth': not hex"],
      ['/peergos/v0/login/getLogin?username=alice&author=00&auth=00', "Invalid parameter 'author': not a public signing key"],
      ['/peergos/v0/login/getLogin?username=al%20ice&author=00&auth=00', "Invalid parameter 'username': not a username"],
      ['/peergos/v0/bats/addBat?username=alice&batid=' + owner + '&bat=zz&auth=00', "Invalid parameter 'batid': not a BatId"],
      [`/api/v0/block/get?arg=${owner}&owner=${owner}&owner=${owner}`, "Duplicate parameter 'owner'"],
      ['/api/v0/link/get?label=-5&owner=' + owner, "Invalid parameter 'label': not a positive integer"],
    ]
    for (const [target, message] of cases) {
      const r = await api(request('POST', target))
      expect(r.status, target).toBe(400)
      expect(javaUrlDecode(r.headers.Trailer), target).toBe(message)
      expect(r.headers[ERROR_CLASS_HEADER]).toBe('BadRequestError')
    }
  })
})
