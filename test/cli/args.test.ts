// The command-line parser of the user commands: long options with and without '=', combined short
// flags, a short option's value attached or separate, '--' and '-' as arguments, and the
// UsageErrors for anything unknown or incomplete.
import { describe, expect, it } from 'vitest'
import { formatOptions, parseArgs, UsageError, type OptionSpec } from '../../src/cli/args.ts'

const SPECS: OptionSpec[] = [
  { name: 'long', short: 'l', help: 'long form' },
  { name: 'all', short: 'a', help: 'everything' },
  { name: 'server', value: 'URL', help: 'the server' },
  { name: 'username', short: 'u', value: 'NAME', help: 'who' },
]

describe('parseArgs', () => {
  it('separates flags, values and arguments', () => {
    const p = parseArgs(['-la', '/alice/docs', '--server=http://h:1', '--username', 'bob', 'x'], SPECS)
    expect(p.positional).toEqual(['/alice/docs', 'x'])
    expect([...p.flags].sort()).toEqual(['all', 'long'])
    expect(Object.fromEntries(p.values)).toEqual({ server: 'http://h:1', username: 'bob' })
  })

  it('takes a short option value attached or separate, and keeps "-" and everything after "--" as arguments', () => {
    expect(parseArgs(['-ubob'], SPECS).values.get('username')).toBe('bob')
    expect(parseArgs(['-l', '-u', 'carol'], SPECS).values.get('username')).toBe('carol')
    const p = parseArgs(['get', '-', '--', '--not-an-option', '-l'], SPECS)
    expect(p.positional).toEqual(['get', '-', '--not-an-option', '-l'])
    expect(p.flags.size).toBe(0)
    expect(parseArgs(['--server='], SPECS).values.get('server')).toBe('')
  })

  it('refuses unknown options, missing values and values given to flags', () => {
    expect(() => parseArgs(['--bogus'], SPECS)).toThrow(new UsageError('unknown option --bogus'))
    expect(() => parseArgs(['-lx'], SPECS)).toThrow(new UsageError('unknown option -x'))
    expect(() => parseArgs(['--server'], SPECS)).toThrow(new UsageError('option --server needs a value (URL)'))
    expect(() => parseArgs(['--long=yes'], SPECS)).toThrow(new UsageError('option --long takes no value'))
    try {
      parseArgs(['--bogus'], SPECS)
    } catch (e) {
      expect((e as Error).name).toBe('UsageError')
    }
  })

  it('formats the options for help, aligned', () => {
    expect(formatOptions(SPECS)).toBe(
      '  -l, --long           long form\n' +
      '  -a, --all            everything\n' +
      '      --server URL     the server\n' +
      '  -u, --username NAME  who\n',
    )
  })
})
