// A raw HTTP/1.1 client over node:net for hostile-request tests: sends bytes exactly as given (no path
// normalisation, any headers), optionally keeps streaming after the reply head, and parses the reply.
import { connect } from 'node:net'

export interface RawReply {
  status: number
  head: string
  /** Everything after the head (latin1), e.g. to check that no file content leaked. */
  body: string
  headers: Map<string, string[]>
  closed: boolean
  afterReplyWritten: number
}

/** Sends raw bytes, optionally keeps streaming `more` chunks after the reply head arrives, and collects the reply until close or timeout. */
export function raw(port: number, request: string | Buffer, opts: { more?: Buffer; waitMs?: number } = {}): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    let closed = false
    let afterReplyWritten = 0
    let streaming: NodeJS.Timeout | undefined
    socket.on('data', (d) => {
      data += d.toString('latin1')
      if (opts.more !== undefined && streaming === undefined && data.includes('\r\n\r\n')) {
        streaming = setInterval(() => {
          if (socket.writable) socket.write(opts.more!, () => { afterReplyWritten += opts.more!.length })
        }, 10)
      }
    })
    socket.on('error', () => {})
    const finish = (): void => {
      clearInterval(streaming)
      socket.destroy()
      const head = data.split('\r\n\r\n')[0]
      const headers = new Map<string, string[]>()
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':')
        const k = line.slice(0, i).toLowerCase()
        headers.set(k, [...(headers.get(k) ?? []), line.slice(i + 1).trim()])
      }
      const at = data.indexOf('\r\n\r\n')
      resolve({ status: Number(head.split(' ')[1]), head, body: at < 0 ? '' : data.slice(at + 4), headers, closed, afterReplyWritten })
    }
    const timer = setTimeout(finish, opts.waitMs ?? 3000)
    socket.on('close', () => {
      closed = true
      clearTimeout(timer)
      finish()
    })
    socket.write(request)
  })
}
