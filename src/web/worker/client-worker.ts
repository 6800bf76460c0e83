// The client worker's entry: the whole client library (UserContext, FileSystem, the portable
// crypto provider) runs here, off the page's thread, so scrypt and bulk encryption never block the
// UI. It answers the page's calls (shared/rpc-protocol.ts) with the method table in methods.ts.
import type { MethodName, PageMessage, WireError, WorkerMessage } from '../shared/rpc-protocol.ts'
import { methods, type Method } from './methods.ts'
import { warmUp } from './session.ts'

const scope = self as unknown as { postMessage(m: WorkerMessage): void; onmessage: ((e: MessageEvent<PageMessage>) => void) | null }
const running = new Map<number, AbortController>()

function wireError(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name, message: e.message }
  return { name: 'Error', message: String(e) }
}

async function run(id: number, method: MethodName, params: unknown): Promise<void> {
  const abort = new AbortController()
  running.set(id, abort)
  try {
    const m = methods[method] as Method<MethodName> | undefined
    if (m === undefined) throw new TypeError(`Unknown worker method ${String(method)}`)
    const value = await m(params as never, (progress) => scope.postMessage({ kind: 'progress', id, progress }), abort.signal)
    scope.postMessage({ kind: 'result', id, value })
  } catch (e) {
    scope.postMessage({ kind: 'error', id, error: abort.signal.aborted ? { name: 'AbortError', message: 'Cancelled' } : wireError(e) })
  } finally {
    running.delete(id)
  }
}

scope.onmessage = (e) => {
  const m = e.data
  if (m.kind === 'call') void run(m.id, m.method, m.params)
  else if (m.kind === 'cancel') running.get(m.id)?.abort()
}
scope.postMessage({ kind: 'ready' })
warmUp()
