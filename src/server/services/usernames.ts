// Username rules (reference §4.3; Peergos Usernames.REGEX and UsernameValidator): 1-32 lowercase
// letters, digits and single inner hyphens, minus a banned list, plus a legacy underscore allow-list.
// Sets only, never object lookups, so names like "constructor" or "__proto__" cannot hit prototypes.
import { InvalidUsernameError } from '../../services/errors.ts'
import { LEGACY_UNDERSCORE_USERNAMES } from './legacy-usernames.ts'

export { INVALID_USERNAME_MESSAGE, InvalidUsernameError } from '../../services/errors.ts'

/** Usernames.REGEX. In JS `$` matches only at the very end, so a trailing newline is refused too. */
export const USERNAME_REGEX = /^[a-z0-9](?:[a-z0-9]|[-](?=[a-z0-9])){0,31}$/

/** UsernameValidator.BANNED_USERNAMES: reserved for interoperability, federation and bridging. */
export const BANNED_USERNAMES: ReadonlySet<string> = new Set([
  'ipfs', 'ipns', 'root', 'http', 'https', 'dns', 'admin', 'administrator', 'support', 'email', 'mail', 'www',
  'web', 'onion', 'tls', 'i2p', 'ftp', 'sftp', 'file', 'mailto', 'wss', 'xmpp', 'ssh', 'smtp', 'imap',
  'irc', 'matrix', 'twitter', 'facebook', 'instagram', 'linkedin', 'wechat', 'tiktok', 'reddit',
  'snapchat', 'qq', 'whatsapp', 'signal', 'telegram', 'briar', 'ssb', 'mastodon',
  'apple', 'google', 'pinterest', 'constructor',
  'mls', 'btc', 'eth', 'mnr', 'zec', 'friends', 'followers', 'username', 'groups',
])

/** UsernameValidator.isValidUsername. */
export function isValidUsername(username: unknown): username is string {
  if (typeof username !== 'string' || username.length > 64) return false
  if (LEGACY_UNDERSCORE_USERNAMES.has(username)) return true
  return USERNAME_REGEX.test(username) && !BANNED_USERNAMES.has(username)
}

/** Throws InvalidUsernameError ("Invalid username") unless the name is valid. */
export function checkUsername(username: unknown): string {
  if (!isValidUsername(username)) throw new InvalidUsernameError()
  return username
}
