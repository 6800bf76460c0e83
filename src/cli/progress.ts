// Progress of a transfer on stderr: one line redrawn in place (bytes, percent, MB/s), at most ten
// times a second, only when the stream is a terminal and the transfer is over 1 MiB. Elsewhere
// (pipes, logs, small transfers) nothing is written.
export const PROGRESS_THRESHOLD = 1024 * 1024
const REDRAW_MS = 100
const BAR_WIDTH = 24

export interface Progress {
  /** Adds bytes transferred. */
  add(bytes: number): void
  /** Draws the final state and ends the line. */
  finish(): void
}

export interface ProgressStream {
  readonly isTTY?: boolean
  readonly columns?: number
  write(s: string): boolean
}

const SILENT: Progress = { add: () => {}, finish: () => {} }

/** A progress line for `total` bytes labelled `label`; silent unless `stream` is a terminal and `total` > 1 MiB. */
export function progressBar(label: string, total: number, stream: ProgressStream = process.stderr, now: () => number = Date.now): Progress {
  if (stream.isTTY !== true || total <= PROGRESS_THRESHOLD) return SILENT
  const start = now()
  let done = 0
  let drawn = -Infinity
  let finished = false
  const draw = (): void => {
    drawn = now()
    const columns = stream.columns !== undefined && stream.columns >= 40 ? stream.columns : 80 // a terminal of unknown size reports 0
    stream.write(`\r${renderProgress(label, done, total, drawn - start, columns)}\u001b[K`)
  }
  return {
    add(bytes) {
      if (finished) return
      done += bytes
      if (now() - drawn >= REDRAW_MS) draw()
    },
    finish() {
      if (finished) return
      finished = true
      draw()
      stream.write('\n')
    },
  }
}

/** One progress line: `label [#######-----]  58%  7.3/12.6 MB  4.1 MB/s`, cut to `columns`. */
export function renderProgress(label: string, done: number, total: number, elapsedMs: number, columns: number): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total)
  const filled = Math.round(fraction * BAR_WIDTH)
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4)
  const rate = elapsedMs > 0 ? `${megabytes((done * 1000) / elapsedMs)} MB/s` : '-- MB/s'
  const tail = ` ${bar} ${percent}  ${megabytes(done)}/${megabytes(total)} MB  ${rate}`
  const room = Math.max(0, columns - 1 - tail.length)
  const name = label.length <= room ? label : room > 1 ? '…' + label.slice(label.length - room + 1) : ''
  return (name + tail).slice(0, Math.max(0, columns - 1))
}

/** Decimal megabytes with one decimal. */
function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1)
}
