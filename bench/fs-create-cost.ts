// A probe of what creating a file costs right now in a directory's file system, printed beside the
// small-write figures: every block the daemon stores is a new file (Peergos' layout), and on ext4
// without a journal (this machine's root, /proc/fs/jbd2 empty) the inode allocator skips and reads
// the inodes deleted in the last minutes, so the same code measured 16-341 µs of CPU per create
// depending on where earlier deletions (test suites, bench teardowns) fell (bench/client-profile.md).
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const PROBE_FILES = 300

/** Mean CPU microseconds (this process, user + system) to create one empty file in a new subdirectory of `dir`. */
export function fileCreateCostMicros(dir: string): number {
  const probe = join(dir, `create-probe-${process.pid}-${Date.now()}`)
  mkdirSync(probe)
  try {
    const before = process.cpuUsage()
    for (let i = 0; i < PROBE_FILES; i++) closeSync(openSync(join(probe, `f${i}`), 'wx'))
    const used = process.cpuUsage(before)
    return (used.user + used.system) / PROBE_FILES
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
}
