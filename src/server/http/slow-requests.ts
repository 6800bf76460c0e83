// Reports HTTP requests that stay open long (operations: a request that waits tens of seconds is a
// fault somewhere below the route, and without a trace of where it waited it cannot be found). A
// request still open after `afterMs` is reported once with its stage (reading the body, in the
// handler, sending the reply) and what the process is waiting on (libuv requests and handles by
// type: file-system calls, worker messages, sockets, timers); it is reported again when it ends.
// Only the route is named: never the query string, headers or body.

/** What the server was doing for a request when it was reported. */
export type RequestStage = 'body' | 'handler' | 'reply'

export interface SlowRequestReport {
  readonly method: string
  /** The path without its query string. */
  readonly path: string
  readonly stage: RequestStage
  /** How long the request has been open. */
  readonly ms: number
  /** 'running' when first reported, 'ended' when a reported request ends. */
  readonly state: 'running' | 'ended'
  /** Active libuv resources by type, at the time of the report (process.getActiveResourcesInfo). */
  readonly waitingOn: Readonly<Record<string, number>>
}

export interface SlowRequestOptions {
  /** Report requests open this long (ms). */
  readonly afterMs: number
  readonly report: (r: SlowRequestReport) => void
}

/** The watch over one request: set its stage as it goes, and call end() once it is over. */
export interface RequestWatch {
  stage: RequestStage
  end(): void
}

const NOT_WATCHED: RequestWatch = { stage: 'body', end: () => undefined }

function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const t of process.getActiveResourcesInfo()) counts[t] = (counts[t] ?? 0) + 1
  return counts
}

/** Starts watching a request (a no-op watch when `o` is undefined). */
export function watchRequest(o: SlowRequestOptions | undefined, method: string, path: string): RequestWatch {
  if (o === undefined) return NOT_WATCHED
  const started = performance.now()
  let reported = false
  const report = (state: SlowRequestReport['state']): void => {
    try {
      o.report({ method, path, stage: watch.stage, ms: Math.round(performance.now() - started), state, waitingOn: activeResources() })
    } catch {
      // a failing reporter must not break the request
    }
  }
  const timer = setTimeout(() => {
    reported = true
    report('running')
  }, o.afterMs)
  timer.unref()
  const watch: RequestWatch = {
    stage: 'body',
    end() {
      clearTimeout(timer)
      if (reported) {
        reported = false
        report('ended')
      }
    },
  }
  return watch
}
