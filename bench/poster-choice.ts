// The HTTP transport a bench's clients use: NodePoster (node:http, what the CLI uses) by default, or
// FetchPoster (fetch/undici, what a browser has) with PEERGOS_BENCH_POSTER=fetch.
import { FetchPoster, type Poster } from '../src/http/poster.ts'
import { NodePoster } from '../src/server/http/node-poster.ts'

export type PosterKind = 'node' | 'fetch'

/** PEERGOS_BENCH_POSTER: `node` (default) or `fetch`. */
export function posterKind(): PosterKind {
  const v = process.env.PEERGOS_BENCH_POSTER ?? 'node'
  if (v !== 'node' && v !== 'fetch') throw new Error(`PEERGOS_BENCH_POSTER must be node or fetch, not ${v}`)
  return v
}

export interface BenchPoster {
  readonly poster: Poster
  /** For figure units, e.g. "NodePoster". */
  readonly label: string
  close(): void
}

/** A poster to `url` of the chosen kind. */
export function benchPoster(url: string, timeoutMs = 120_000): BenchPoster {
  if (posterKind() === 'fetch') return { poster: new FetchPoster(url, { timeoutMs }), label: 'FetchPoster', close: () => undefined }
  const p = new NodePoster(url, { timeoutMs })
  return { poster: p, label: 'NodePoster', close: () => p.close() }
}
