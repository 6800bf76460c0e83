// The transfer progress line: its format (bytes, percent, MB/s, cut to the terminal's width), and
// when it is drawn: only on a terminal, only for transfers over 1 MiB, at most every 100 ms, ended
// by a newline.
import { describe, expect, it } from 'vitest'
import { progressBar, renderProgress, type ProgressStream } from '../../src/cli/progress.ts'

/** A terminal-like sink that records what is written. */
function sink(isTTY: boolean, columns = 100): ProgressStream & { text: string } {
  return { isTTY, columns, text: '', write(s: string) { this.text += s; return true } }
}

describe('renderProgress', () => {
  it('shows the bar, percent, bytes and rate', () => {
    expect(renderProgress('big.bin', 6_300_000, 12_600_000, 2000, 100)).toBe('big.bin [############------------]  50%  6.3/12.6 MB  3.1 MB/s')
    expect(renderProgress('x', 0, 5_000_000, 0, 100)).toBe('x [------------------------]   0%  0.0/5.0 MB  -- MB/s')
    expect(renderProgress('x', 5_000_000, 5_000_000, 1000, 100)).toBe('x [########################] 100%  5.0/5.0 MB  5.0 MB/s')
  })

  it('shortens a long label from the left to fit the terminal', () => {
    const line = renderProgress('a-very-long-directory-name/with-a-long-file-name.bin', 1_000_000, 2_000_000, 1000, 70)
    expect(line.length).toBeLessThanOrEqual(69)
    expect(line).toMatch(/^….*file-name\.bin \[#{12}-{12}\]  50%/)
  })
})

describe('progressBar', () => {
  it('writes nothing when the stream is not a terminal or the transfer is 1 MiB or less', () => {
    for (const [tty, total] of [[false, 10_000_000], [true, 1024 * 1024]] as const) {
      const out = sink(tty)
      const p = progressBar('f', total, out)
      p.add(total)
      p.finish()
      expect(out.text).toBe('')
    }
  })

  it('redraws in place at most every 100 ms and ends with the final state and a newline', () => {
    const out = sink(true)
    let now = 0
    const p = progressBar('f', 4_000_000, out, () => now)
    p.add(1_000_000) // drawn: the first update
    p.add(1_000_000) // same instant: not drawn
    now = 50
    p.add(1_000_000) // 50 ms later: not drawn
    now = 1000
    p.finish()
    p.finish()
    const draws = out.text.split('\r').filter((s) => s !== '')
    expect(draws).toHaveLength(2)
    expect(draws[0]).toContain(' 25%  1.0/4.0 MB')
    expect(draws[1]).toBe('f [##################------]  75%  3.0/4.0 MB  3.0 MB/s\u001b[K\n')
  })

  it('draws at 80 columns on a terminal of unknown size (columns 0)', () => {
    const out = sink(true, 0)
    const p = progressBar('f', 2_000_000, out, () => 0)
    p.add(2_000_000)
    expect(out.text).toBe('\rf [########################] 100%  2.0/2.0 MB  -- MB/s\u001b[K')
  })
})
