// Who may sign up on this server (reference §4.3, §5.3; Peergos SignUpFilter + UserQuotas and
// MirrorCoreNode.signup's host check), shared by the PKI node and the mirrors, which each decide
// for their own users before a claim reaches the PKI.
import { cidToString, equalBytes, type CID } from '../../../codec/cid.ts'
import { chainHomeServer, type UserPublicKeyLink } from '../../../model/user-public-key-link.ts'
import type { QuotaStore } from '../../db/quota-store.ts'
import { InvalidSignupTokenError, SIGNUPS_CLOSED_MESSAGE, SignupRefusedError } from './errors.ts'

/** SignUpFilter + UserQuotas: who may sign up here. */
export interface SignupPolicy {
  readonly quotas: QuotaStore
  /** Users (quota rows) accepted without a token (Peergos `max-users`). */
  readonly maxUsers: number
}

/** Whether `id` names one of `ids` (compared by multihash, as Peergos' bareMultihash). */
export function isOneOf(id: CID, ids: readonly CID[]): boolean {
  return ids.some((s) => equalBytes(s.multihash.bytes, id.multihash.bytes))
}

/** MirrorCoreNode.signup: the claim must name this server as home. */
export function checkHomeServer(serverIds: readonly CID[], chain: readonly UserPublicKeyLink[]): void {
  const home = chainHomeServer(chain)
  if (home === undefined || !isOneOf(home, serverIds)) throw new SignupRefusedError(`Trying to signup to wrong host! ${home === undefined ? 'none' : cidToString(home)}`)
}

/** UserQuotas.allowSignupOrUpdate: an existing quota row, a valid token, or a free place (no policy: open). */
export async function checkSignupAllowed(p: SignupPolicy | undefined, username: string, token: string): Promise<void> {
  if (p === undefined) return
  if (await p.quotas.hasUser(username)) return
  if (token !== '' && (await p.quotas.hasToken(token))) return
  if ((await p.quotas.numberOfUsers()) < p.maxUsers) return
  if (token !== '') throw new InvalidSignupTokenError()
  throw new SignupRefusedError(SIGNUPS_CLOSED_MESSAGE)
}

/** SignUpFilter after a signup: the token is used up; the user gets the default quota. */
export async function afterSignup(p: SignupPolicy | undefined, username: string, token: string): Promise<void> {
  if (p === undefined) return
  if (token !== '') await p.quotas.consumeToken(token)
  if (!(await p.quotas.hasUser(username))) await p.quotas.setQuota(username, p.quotas.defaultQuota)
}
