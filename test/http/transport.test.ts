// Unit tests of the request model and the error convention (reference §7.2): Peergos' query parsing,
// Java URL encoding of error messages in `Trailer` (never splitting headers), and the mapping of
// named errors to Peergos' texts and back.
import { describe, expect, it } from 'vitest'
import { CborTypeError, InvalidCidError } from '../../src/codec/errors.ts'
import { CasFailedError, IncorrectPasswordError, InvalidSequenceError } from '../../src/model/errors.ts'
import {
  BadRequestError, BodyTooLargeError, ERROR_CLASS_HEADER, errorFromWire, errorToWire, HttpStatusError, pointerCasMessage,
  registerInternalError, registerWireError, RemoteError,
} from '../../src/http/errors.ts'
import { errorReply, InvalidQueryError, parseQuery, parseTarget } from '../../src/http/transport.ts'
import { javaUrlDecode, javaUrlEncode, uriDecode } from '../../src/http/url-encoding.ts'
import { PeergosError } from '../../src/errors.ts'
import { QuotaExceededError, RateLimitError } from '../../src/services/errors.ts'

describe('parseQuery (URI.getQuery() then HttpUtil.parseQuery)', () => {
  it('splits on & and the first =, keeping every value of a repeated name in order', () => {
    const q = parseQuery('arg=zb2rh&arg=00ff&owner=z59v&x=a=b')
    expect(q.get('arg')).toEqual(['zb2rh', '00ff'])
    expect(q.get('owner')).toEqual(['z59v'])
    expect(q.get('x')).toEqual(['a=b'])
  })

  it('percent-decodes the whole query first, as URI.getQuery() does, but keeps "+"', () => {
    expect(parseQuery('name=my%20mount&k=a+b').get('name')).toEqual(['my mount'])
    expect(parseQuery('k=a+b').get('k')).toEqual(['a+b'])
    // Decoding happens before the split: an encoded '&' separates parameters, exactly like Peergos.
    expect([...parseQuery('a=1%26b%3D2').entries()]).toEqual([['a', ['1']], ['b', ['2']]])
    expect(parseQuery('u=%C3%A9').get('u')).toEqual(['é'])
  })

  it('refuses what would make Peergos throw: parts without "=", empty parts, malformed escapes, non-UTF-8', () => {
    for (const bad of ['owner', 'a=1&&b=2', 'a=%zz', 'a=%4', 'a=%ff', 'a=\u00e9', 'a=\r\n']) expect(() => parseQuery(bad), bad).toThrow(InvalidQueryError)
    expect(() => parseQuery('a=1'.repeat(10_000))).toThrow(InvalidQueryError)
    expect(new InvalidQueryError('x')).toBeInstanceOf(BadRequestError)
  })

  it('keeps names such as __proto__ as ordinary keys', () => {
    const q = parseQuery('__proto__=1&constructor=2')
    expect(q.get('__proto__')).toEqual(['1'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('splits a request target without normalising its path', () => {
    const t = parseTarget('/api/v0/../../etc/passwd?arg=1')
    expect(t.path).toBe('/api/v0/../../etc/passwd')
    expect(t.query.get('arg')).toEqual(['1'])
    expect(parseTarget('/api/v0/id').query.size).toBe(0)
  })
})

describe('Java URL encoding', () => {
  it('matches URLEncoder.encode(s, "UTF-8") byte for byte', () => {
    expect(javaUrlEncode('Storage quota reached! \nUsed 5')).toBe('Storage+quota+reached%21+%0AUsed+5')
    expect(javaUrlEncode("a-b_c.d*e~f'g(h)i")).toBe("a-b_c.d*e%7Ef%27g%28h%29i")
    expect(javaUrlEncode('PointerCAS:zb2,3,EMPTY')).toBe('PointerCAS%3Azb2%2C3%2CEMPTY')
    expect(javaUrlEncode('é€😀')).toBe('%C3%A9%E2%82%AC%F0%9F%98%80')
    expect(javaUrlEncode('\ud800x')).toBe('%3Fx')
  })

  it('decodes as URLDecoder does, leniently', () => {
    expect(javaUrlDecode('Storage+quota+reached%21+%0AUsed')).toBe('Storage quota reached! \nUsed')
    expect(javaUrlDecode('100%')).toBe('100%')
    expect(uriDecode('a+b%20c')).toBe('a+b c')
    expect(uriDecode('%e9')).toBeUndefined()
  })

  it('never lets a message split a header: the encoded form is printable ASCII without spaces', () => {
    const hostile = 'boom\r\nSet-Cookie: evil=1\r\n\r\n<script>\u0000\u2028'
    const encoded = javaUrlEncode(hostile)
    expect(encoded).toMatch(/^[\x21-\x7e]+$/)
    expect(encoded).not.toContain('\r')
    expect(javaUrlDecode(encoded)).toBe(hostile)
    const reply = errorReply(new BadRequestError(hostile))
    for (const v of Object.values(reply.headers)) expect(v).toMatch(/^[\x20-\x7e]*$/)
  })
})

describe('errors on the wire (server side)', () => {
  it('replies 400, text/plain, empty body, message URL-encoded in Trailer', () => {
    const r = errorReply(new InvalidSequenceError('Invalid sequence number update in mutable pointer: 3 => 2'))
    expect(r.status).toBe(400)
    expect(r.headers['Content-Type']).toBe('text/plain')
    expect(r.body.length).toBe(0)
    expect(r.headers.Trailer).toBe('Invalid+sequence+number+update+in+mutable+pointer%3A+3+%3D%3E+2')
    expect(r.headers[ERROR_CLASS_HEADER]).toBe('InvalidSequenceError')
  })

  it("gives CAS failures Peergos' PointerCasException text", () => {
    expect(pointerCasMessage('zb2a', 4n, undefined)).toBe('PointerCAS:zb2a,4,EMPTY')
    expect(pointerCasMessage(undefined, undefined, 'zb2b')).toBe('PointerCAS:EMPTY,,zb2b')
    expect(errorToWire(new CasFailedError('PointerCAS:zb2a,4,zb2b'))).toEqual({ status: 400, message: 'PointerCAS:zb2a,4,zb2b', errorClass: 'CasFailedError' })
    expect(errorToWire(new CasFailedError('stale')).message).toBe('PointerCAS:stale')
  })

  it('uses the texts Peergos clients match: quota, password, rate limit (429), oversize (413)', () => {
    expect(errorToWire(new QuotaExceededError('over by 5 bytes')).message).toBe('Storage quota reached! over by 5 bytes')
    expect(errorToWire(new QuotaExceededError('Storage quota reached! Used 5')).message).toBe('Storage quota reached! Used 5')
    expect(errorToWire(new IncorrectPasswordError('no row for bob')).message).toBe('Incorrect username or password')
    expect(errorToWire(new RateLimitError(''))).toMatchObject({ status: 429, message: 'Too Many Requests' })
    expect(errorToWire(new BodyTooLargeError('Input exceeds maximum size of 1024 bytes')).status).toBe(413)
  })

  it('hides the text of errors that are not PeergosErrors, and bounds message length', () => {
    expect(errorToWire(new Error('/secret/path/db.sqlite: EACCES'))).toEqual({ status: 400, message: 'Internal server error' })
    expect(errorToWire('a string').message).toBe('Internal server error')
    expect(errorToWire(new BadRequestError('x'.repeat(10_000))).message.length).toBe(512)
  })
})

describe('errors on the wire (client side)', () => {
  const roundTrip = (e: Error): Error => {
    const r = errorReply(e)
    return errorFromWire(r.status, r.headers.Trailer ?? null, r.headers[ERROR_CLASS_HEADER] ?? null)
  }

  it('turns our replies back into the same named errors with the same messages', () => {
    for (const e of [new CasFailedError('PointerCAS:zb2a,4,zb2b'), new InvalidCidError('Invalid CID'), new CborTypeError('LoginData.u: expected text'),
      new QuotaExceededError('Storage quota reached! x'), new BadRequestError("Missing parameter 'owner'"), new RateLimitError('slow down')]) {
      const back = roundTrip(e)
      expect(back.name).toBe(e.name)
      expect(back.constructor).toBe(e.constructor)
      expect(back.message).toBe(errorToWire(e).message)
    }
  })

  it('recognises a real Peergos server by its texts alone (no class header)', () => {
    expect(errorFromWire(400, javaUrlEncode('PointerCAS:zb2a,4,zb2b'), null)).toBeInstanceOf(CasFailedError)
    expect(errorFromWire(400, javaUrlEncode('Storage quota reached! \nUsed 1'), null)).toBeInstanceOf(QuotaExceededError)
    expect(errorFromWire(400, javaUrlEncode('Incorrect username or password'), null)).toBeInstanceOf(IncorrectPasswordError)
    expect(errorFromWire(400, javaUrlEncode('Queue full'), null)).toBeInstanceOf(RateLimitError)
    expect(errorFromWire(400, javaUrlEncode('Invalid sequence number update in mutable pointer: 2 => 1'), null)).toBeInstanceOf(InvalidSequenceError)
    for (const s of [429, 502, 503, 504]) expect(errorFromWire(s, null, null)).toBeInstanceOf(RateLimitError)
    const other = errorFromWire(400, javaUrlEncode('Unknown username for key: z59'), null)
    expect(other).toBeInstanceOf(RemoteError)
    expect(other.message).toBe('Unknown username for key: z59')
    const bare = errorFromWire(404, null, null)
    expect(bare).toBeInstanceOf(HttpStatusError)
    expect((bare as HttpStatusError).status).toBe(404)
  })

  it('recognises the Peergos texts of write rights, BATs, block signatures, auth time and usernames', () => {
    const cases: Array<[string, string]> = [
      ['Unauthorised!', 'UnauthorisedError'], ['Key not allowed to write to this server: z59', 'WriterNotAllowedError'],
      ['Invalid signature for block!', 'InvalidSignatureError'], ['Stale auth time, is your clock accurate?', 'AuthExpiredError'],
      ['Invalid username', 'InvalidUsernameError'], ['Invalid username for Peergos', 'RemoteError'],
    ]
    for (const [text, name] of cases) expect(errorFromWire(400, javaUrlEncode(text), null).name, text).toBe(name)
  })

  it('replies classes registered as internal (database, disk) without their text or class', () => {
    class DiskError extends PeergosError {}
    class DiskFullError extends DiskError {}
    registerInternalError(DiskError)
    const r = errorReply(new DiskFullError('ENOSPC writing /var/peergos/blocks/alice/x'))
    expect(javaUrlDecode(r.headers.Trailer)).toBe('Internal server error')
    expect(r.headers[ERROR_CLASS_HEADER]).toBeUndefined()
  })

  it('ignores class names that are not registered, and lets other layers register theirs', () => {
    expect(errorFromWire(400, 'x', 'Object')).toBeInstanceOf(RemoteError)
    expect(errorFromWire(400, 'x', '__proto__')).toBeInstanceOf(RemoteError)
    class WriterNotOwnedError extends PeergosError {}
    registerWireError('WriterNotOwnedError', WriterNotOwnedError)
    expect(roundTrip(new WriterNotOwnedError('writer is not owned'))).toBeInstanceOf(WriterNotOwnedError)
    expect(() => registerWireError('bad name', WriterNotOwnedError)).toThrow(TypeError)
  })
})
