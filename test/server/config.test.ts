// Daemon option parsing: defaults, every kind of value, and typed errors for bad input.
import { describe, expect, it } from 'vitest'
import { ConfigError, DAEMON_OPTIONS, daemonHelp, parseDaemonArgs, parseSize } from '../../src/server/config.ts'

describe('daemon configuration', () => {
  it('has documented defaults', () => {
    const c = parseDaemonArgs([])
    expect(c.port).toBe(8000)
    expect(c.host).toBe('127.0.0.1')
    expect(c.defaultQuota).toBe(2 ** 30)
    expect(c.publicServer).toBe(false)
    expect(c.postgres).toBeUndefined()
    expect(c.s3).toBeUndefined()
    expect(c.dir).toMatch(/\.peergos-ts$/)
  })

  it('parses values, flags and sizes in both --k v and --k=v forms', () => {
    const c = parseDaemonArgs(['--port=0', '--dir', '/tmp/x', '--public-server', '--default-quota', '500m', '--log-level=warn'])
    expect(c).toMatchObject({ port: 0, dir: '/tmp/x', publicServer: true, defaultQuota: 500 * 2 ** 20, logLevel: 'warn' })
  })

  it('takes S3 credentials from the environment', () => {
    const c = parseDaemonArgs(['--s3-endpoint', 'http://127.0.0.1:9000', '--s3-bucket', 'b'], { PEERGOS_S3_ACCESS_KEY: 'a', PEERGOS_S3_SECRET_KEY: 's' })
    expect(c.s3).toMatchObject({ endpoint: 'http://127.0.0.1:9000', bucket: 'b', accessKey: 'a', secretKey: 's', region: 'us-east-1' })
  })

  it.each([
    [['--nope']],
    [['--port']],
    [['--port', '-1']],
    [['--port', '70000']],
    [['--default-quota', 'lots']],
    [['--public-server=yes']],
    [['stray']],
    [['--log-level', 'loud']],
    [['--s3-endpoint', 'http://x']],
  ])('refuses %j with a ConfigError', (args) => {
    expect(() => parseDaemonArgs(args)).toThrow(ConfigError)
  })

  it('parses sizes', () => {
    expect(parseSize('1024')).toBe(1024)
    expect(parseSize('2k')).toBe(2048)
    expect(parseSize('1GiB')).toBe(2 ** 30)
    expect(() => parseSize('1.5g')).toThrow(ConfigError)
  })

  it('lists every option in --help', () => {
    const help = daemonHelp()
    for (const o of DAEMON_OPTIONS) expect(help).toContain(`--${o.name}`)
  })
})
