// Every named error a local service throws crosses HTTP as the same class with Peergos' text (reference
// §7.2): the shared classes (registered by src/http) and the server's own (registerServerWireErrors),
// while database and block-store failures are replied without their paths or SQL.
import { describe, expect, it } from 'vitest'
import { CborLimitError } from '../../../src/codec/errors.ts'
import { InvalidSignatureError } from '../../../src/crypto/errors.ts'
import { ERROR_CLASS_HEADER, errorFromWire } from '../../../src/http/errors.ts'
import { errorReply } from '../../../src/http/transport.ts'
import { javaUrlDecode } from '../../../src/http/url-encoding.ts'
import { CasFailedError, IncorrectPasswordError, InvalidClaimChainError, InvalidSequenceError } from '../../../src/model/errors.ts'
import { BlockStoreFullError, BlockStoreIOError, CorruptBlockError } from '../../../src/server/blocks/errors.ts'
import { DatabaseError, StoreLimitError, UniqueViolationError } from '../../../src/server/db/errors.ts'
import { registerServerWireErrors } from '../../../src/server/http/wire-errors.ts'
import { UnknownSigningKeyError } from '../../../src/server/services/key-resolver.ts'
import { FollowRequestTooLargeError as FromSocial } from '../../../src/server/services/local-social.ts'
import { UnknownUserError as FromAccount } from '../../../src/server/services/local-account.ts'
import { InvalidSignupTokenError, SignupRefusedError, UnknownIdentityKeyError } from '../../../src/server/services/pki/errors.ts'
import { PkiStateError } from '../../../src/server/services/pki/pki-store.ts'
import { InvalidOpLogError } from '../../../src/server/services/pki/signup-oplog.ts'
import { AuthExpiredError as FromSignedTime, InvalidAuthError } from '../../../src/server/services/signed-time.ts'
import { InvalidUsernameError as FromUsernames } from '../../../src/server/services/usernames.ts'
import {
  AuthExpiredError, FollowRequestTooLargeError, InvalidUsernameError, MissingBlockError, OversizedBlockError, QuotaExceededError, RateLimitError,
  SecretLinkUnavailableError, UnauthorisedError, UnknownUserError, WriterNotAllowedError,
} from '../../../src/services/errors.ts'

registerServerWireErrors()

function roundTrip(e: Error): Error {
  const r = errorReply(e)
  return errorFromWire(r.status, r.headers.Trailer ?? null, r.headers[ERROR_CLASS_HEADER] ?? null)
}

describe('named errors on the wire', () => {
  it('keeps class and Peergos text of every error a client must tell apart', () => {
    const errors: Error[] = [
      new UnauthorisedError('Unauthorised!'), new WriterNotAllowedError('Key not allowed to write to this server: z59'), new OversizedBlockError('Block too big! 1048677 > 1048676'),
      new MissingBlockError("Couldn't retrieve WriterData from dht! zdpu"), new SecretLinkUnavailableError('Secret link expired!'),
      new QuotaExceededError('Storage quota reached! Rejecting write of size 6000.'), new RateLimitError('Too Many Requests'),
      new CasFailedError('PointerCAS:zb2a,4,zb2b'), new InvalidSequenceError('Invalid sequence number update in mutable pointer: 3 => 2'),
      new InvalidClaimChainError('User already exists: Invalid key change attempt!'), new IncorrectPasswordError('Incorrect username or password'),
      new InvalidSignatureError('Invalid signature for block!'), new AuthExpiredError('Stale auth time, is your clock accurate?'),
      new InvalidAuthError('Illegal path for signed request: x'), new InvalidUsernameError(), new UnknownUserError('Unknown username: bob'),
      new FollowRequestTooLargeError('Input exceeds maximum size of 4096 bytes'), new UnknownIdentityKeyError('Unknown identity key: z59'),
      new SignupRefusedError('This server is not currently accepting new sign ups. Please try again later'), new InvalidSignupTokenError(),
      new InvalidOpLogError('Invalid signup data!'), new PkiStateError('Concurrent PKI update'), new UnknownSigningKeyError("Couldn't retrieve owner key!"),
      new StoreLimitError('Too many incomplete password changes for alice'), new CborLimitError('CBOR nesting too deep'),
    ]
    for (const e of errors) {
      const back = roundTrip(e)
      expect([back.constructor, back.name, back.message], e.name).toEqual([e.constructor, e.name, e.message])
    }
    expect(roundTrip(new InvalidUsernameError()).message).toBe('Invalid username')
    expect(roundTrip(new RateLimitError('slow')).constructor).toBe(RateLimitError)
  })

  it('moved the shared classes down to src/services without changing who throws them', () => {
    expect([FromSignedTime, FromUsernames, FromAccount, FromSocial]).toEqual([AuthExpiredError, InvalidUsernameError, UnknownUserError, FollowRequestTooLargeError])
  })

  it('replies database and block-store failures as "Internal server error", without class or text', () => {
    for (const e of [new DatabaseError('SQLITE_BUSY [UPDATE pointers SET ...] /var/lib/peergos/mutable.sql'), new UniqueViolationError('dup'),
      new BlockStoreIOError('I/O error to /var/lib/peergos/blocks/alice/AFK: EIO', 'EIO'), new BlockStoreFullError('ENOSPC'), new CorruptBlockError('bad', 'zb2')]) {
      const r = errorReply(e)
      expect(r.status).toBe(400)
      expect(javaUrlDecode(r.headers.Trailer)).toBe('Internal server error')
      expect(r.headers[ERROR_CLASS_HEADER]).toBeUndefined()
    }
  })
})
