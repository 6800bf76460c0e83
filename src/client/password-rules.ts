// The rules a new password must meet (signup and password change): not the username (Cure53
// PGS-01-009 and Peergos' own check), long enough, not a single repeated character and not one of
// the passwords every guessing list starts with. Existing passwords are never re-checked at login.
import { PeergosError } from '../errors.ts'

/** A new password the client refuses. */
export class WeakPasswordError extends PeergosError {}

export const MIN_PASSWORD_LENGTH = 8

const COMMON = new Set([
  'password', 'password1', 'password123', '12345678', '123456789', '1234567890', 'qwertyuiop', 'qwerty123', 'iloveyou',
  'letmein1', 'abc12345', 'football', 'baseball', 'welcome1', 'sunshine', 'princess', 'passw0rd', 'trustno1', 'peergos1',
  'peergos123', '11111111', '00000000', 'abcdefgh', 'asdfghjk', 'zxcvbnm1', 'changeme',
])

export function checkNewPassword(username: string, password: string): void {
  if (typeof password !== 'string') throw new WeakPasswordError('A password must be a string')
  if (password === username) throw new WeakPasswordError('Your password cannot be the same as your username!')
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new WeakPasswordError(`Passwords must be at least ${MIN_PASSWORD_LENGTH} characters long`)
  if (new Set(password).size === 1) throw new WeakPasswordError('A password of one repeated character is too weak')
  if (COMMON.has(password.toLowerCase())) throw new WeakPasswordError('That password is too easy to guess')
}
