// The page's side of the client worker protocol (shared/rpc-protocol.ts): call(method, params,
// {onProgress, signal}) posts one request and resolves with its result; an aborted signal sends a
// cancel and rejects with an AbortError. Errors come back with their class name (WorkerError).
import { transferablesOf, type MethodName, type Params, type PageMessage, type Progress, type Result, type WireError, type WorkerMessage } from '../../shared/rpc-protocol.ts'

/** A failure inside the worker, under the name of the error class that was thrown there. */
export class WorkerError extends Error {
  constructor(wire: WireError) {
    super(wire.message)
    this.name = wire.name
  }
}

interface Pending {
  resolve(v: unknown): void
  reject(e: unknown): void
  onProgress?: (p: unknown) => void
}

export interface CallOptions<M extends MethodName> {
  readonly onProgress?: (p: Progress<M>) => void
  readonly signal?: AbortSignal
}

export class WorkerRpc {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => this.receive(e.data)
    worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new WorkerError({ name: 'WorkerCrashedError', message: e.message || 'The client worker stopped' }))
      this.pending.clear()
    }
  }

  /** The client worker of this bundle (a module worker bundled by Vite). */
  static start(): WorkerRpc {
    return new WorkerRpc(new Worker(new URL('../../worker/client-worker.ts', import.meta.url), { type: 'module', name: 'peergos-client' }))
  }

  call<M extends MethodName>(method: M, params: Params<M>, o: CallOptions<M> = {}): Promise<Result<M>> {
    const id = this.nextId++
    return new Promise<Result<M>>((resolve, reject) => {
      if (o.signal?.aborted === true) return reject(new WorkerError({ name: 'AbortError', message: 'Cancelled' }))
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: o.onProgress as ((p: unknown) => void) | undefined })
      o.signal?.addEventListener('abort', () => this.post({ kind: 'cancel', id }), { once: true })
      this.post({ kind: 'call', id, method, params }, transferablesOf(params))
    })
  }

  private post(m: PageMessage, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer)
  }

  private receive(m: WorkerMessage): void {
    if (m.kind === 'ready') return
    const p = this.pending.get(m.id)
    if (p === undefined) return
    if (m.kind === 'progress') return p.onProgress?.(m.progress)
    this.pending.delete(m.id)
    if (m.kind === 'result') p.resolve(m.value)
    else p.reject(new WorkerError(m.error))
  }
}
