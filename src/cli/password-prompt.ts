// Reads a password from the terminal without echoing it: stdin in raw mode, the keys handled here
// (Enter ends, Backspace and Ctrl-U edit, Ctrl-C and Ctrl-D on an empty line cancel), the prompt
// on stderr. Refuses to prompt when stdin is not a terminal, so a password is never read from a
// pipe by accident (PEERGOS_PASSWORD is the non-interactive way).
import { StringDecoder } from 'node:string_decoder'
import { PeergosError } from '../errors.ts'

/** A password is needed, but there is no terminal to ask on and none was given. */
export class NoTerminalError extends PeergosError {}
/** The user cancelled a prompt (Ctrl-C, Ctrl-D). */
export class PromptCancelledError extends PeergosError {}

export interface PromptStreams {
  readonly input: NodeJS.ReadStream
  readonly output: NodeJS.WritableStream
}

/** Asks once; `envName` names the variable that would have avoided the prompt (for the error). */
export function promptPassword(prompt: string, envName: string, s: PromptStreams = { input: process.stdin, output: process.stderr }): Promise<string> {
  const { input, output } = s
  if (input.isTTY !== true || typeof input.setRawMode !== 'function') {
    return Promise.reject(new NoTerminalError(`cannot ask for the password: stdin is not a terminal (set ${envName})`))
  }
  return new Promise<string>((resolve, reject) => {
    const decoder = new StringDecoder('utf8')
    let chars: string[] = []
    const finish = (err: Error | undefined): void => {
      input.off('data', onData)
      input.setRawMode(false)
      input.pause()
      output.write('\n')
      if (err === undefined) resolve(chars.join(''))
      else reject(err)
      chars = []
    }
    const onData = (data: Buffer): void => {
      const text = Array.from(decoder.write(data)) // code points, so Backspace removes a whole character
      for (let i = 0; i < text.length; i++) {
        const ch = text[i]
        if (ch === '\r' || ch === '\n') return finish(undefined)
        if (ch === '\u0003') return finish(new PromptCancelledError('cancelled'))
        if (ch === '\u0004') {
          if (chars.length === 0) return finish(new PromptCancelledError('cancelled'))
          continue
        }
        if (ch === '\u007f' || ch === '\b') chars.pop()
        else if (ch === '\u0015') chars = []
        else if (ch === '\u001b') i = skipEscape(text, i)
        else if (ch >= ' ') chars.push(ch)
      }
    }
    input.setRawMode(true) // before the prompt: nothing typed after it may be echoed
    output.write(prompt)
    input.resume()
    input.on('data', onData)
  })
}

/** The index of the last character of the escape sequence starting at `i` (arrow keys and the like are ignored). */
function skipEscape(text: readonly string[], i: number): number {
  if (text[i + 1] !== '[' && text[i + 1] !== 'O') return i
  let j = i + 2
  while (j < text.length && !/[A-Za-z~]/.test(text[j])) j++
  return j
}
