// Server-only error classes on the wire (reference §7.2): the PKI's named errors travel by class name
// to clients that registered them too (tests, a Node client), and database / block-store failures
// are replied as "Internal server error" so their paths and SQL never leave the server. The p2p
// proxy's errors travel by name too.
import { registerInternalError, registerWireErrors } from '../../http/errors.ts'
import { BlockStoreError } from '../blocks/errors.ts'
import { GatewayBusyError, InvalidP2pPathError, P2pStreamError, P2pStreamLimitError, P2pTimeoutError, PeerUnreachableError } from '../p2p/errors.ts'
import { DatabaseError, StoreLimitError } from '../db/errors.ts'
import { UnknownSigningKeyError } from '../services/key-resolver.ts'
import { InvalidSignupTokenError, SignupRefusedError, UnknownIdentityKeyError } from '../services/pki/errors.ts'
import { PkiChangeRefusedError, PkiMirrorError } from '../services/pki/pki-mirror.ts'
import { PkiStateError } from '../services/pki/pki-store.ts'
import { InvalidOpLogError } from '../services/pki/signup-oplog.ts'

let registered = false

/**
 * Registers the server's own named errors for errorToWire / errorFromWire (idempotent). The shared
 * ones (src/services/errors.ts, model, crypto, codec) are registered by src/http/errors.ts itself.
 */
export function registerServerWireErrors(): void {
  if (registered) return
  registered = true
  registerWireErrors({
    UnknownIdentityKeyError, SignupRefusedError, InvalidSignupTokenError, InvalidOpLogError, PkiStateError,
    UnknownSigningKeyError, StoreLimitError,
    PeerUnreachableError, P2pTimeoutError, P2pStreamError, GatewayBusyError, P2pStreamLimitError, InvalidP2pPathError,
    PkiMirrorError, PkiChangeRefusedError,
  })
  registerInternalError(DatabaseError)
  registerInternalError(BlockStoreError)
}
