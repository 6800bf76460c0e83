// Structured logging for the daemon (pino, JSON lines on stdout). Nothing secret is ever logged:
// fields that could carry key material, passwords, BATs or auth signatures are redacted wherever
// they appear, and request logs carry the path without its query string.
import pino, { type Logger } from 'pino'

export type { Logger }

export const REDACTED_FIELDS = ['password', 'auth', 'bat', 'secret', 'secretKey', 'privateKey', 'signature', 'token', 'entry', 'query']

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`])
  const options: pino.LoggerOptions = { level, base: { app: 'peergos-ts' }, redact: { paths, censor: '[redacted]' } }
  return destination === undefined ? pino(options) : pino(options, destination)
}
