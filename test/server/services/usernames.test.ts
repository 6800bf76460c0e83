// Username rules (Peergos Usernames.REGEX, UsernameValidator, CorenodeTests.isValidUsernameTest):
// Peergos' own valid and invalid lists, the banned names, the legacy underscore names, and names that
// would hit Object.prototype in a plain-object lookup.
import { describe, expect, it } from 'vitest'
import { BANNED_USERNAMES, checkUsername, InvalidUsernameError, isValidUsername } from '../../../src/server/services/usernames.ts'

describe('usernames', () => {
  it("agrees with Peergos' CorenodeTests lists", () => {
    for (const n of ['chris', 'super-califragilistic-ex', 'z', 'ch-ris', '123456789012345678901234567890ab', '1337', 'alpha-beta', 'the-god-father']) {
      expect(isValidUsername(n), n).toBe(true)
    }
    const invalid = ['123456789012345678901234567890abc', '', ' ', 'super_califragilistic_expialidocious', '\n', '\r', '\tted', '-ted', '_ted',
      't__ed', 'ted_', ' ted', '<ted>', 'ted-', 'a-_b', 'a_-b', 'a--b', 'a_b', 'fred--flinstone', 'peter-_pan', '_hello', 'hello.', '\b0']
    for (const n of invalid) expect(isValidUsername(n), JSON.stringify(n)).toBe(false)
  })

  it('refuses the banned names, uppercase, prototype names and a trailing newline', () => {
    expect(BANNED_USERNAMES.size).toBe(55) // Peergos lists "matrix" twice
    for (const n of ['admin', 'root', 'ipfs', 'constructor', 'friends', 'followers', 'username', 'groups', 'www', 'mail']) expect(isValidUsername(n), n).toBe(false)
    for (const n of ['__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'Alice', 'ALICE', 'alice\n', 'al\u0131ce', 'a'.repeat(65)]) expect(isValidUsername(n), n).toBe(false)
    for (const n of [undefined, null, 42, {}, ['alice']]) expect(isValidUsername(n)).toBe(false)
    expect(isValidUsername('admin2')).toBe(true)
    expect(isValidUsername('prototype')).toBe(true)
  })

  it('accepts the legacy underscore names', () => {
    for (const n of ['federal_appeal', '0_0', 'femi-s_1986', 'di_rocha27', '1234567890-qwerty_456']) expect(isValidUsername(n), n).toBe(true)
    expect(isValidUsername('federal_appeal2')).toBe(false)
  })

  it('checkUsername throws InvalidUsernameError with Peergos\' message', () => {
    expect(checkUsername('alice')).toBe('alice')
    expect(() => checkUsername('constructor')).toThrow(InvalidUsernameError)
    expect(() => checkUsername('__proto__')).toThrow(/^Invalid username$/)
  })
})
