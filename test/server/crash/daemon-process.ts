// A peergos-ts daemon in a child process, started through the real CLI (`node bin/peergos-ts.js
// daemon`), for the daemon crash test and the server bench: its URL read from stdout, killed with
// any signal (SIGKILL for crashes), and its CPU time read from /proc/<pid>/stat.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const CLI = join(REPO, 'bin', 'peergos-ts.js')
const LISTENING = /peergos-ts daemon listening on (http:\/\/\S+)/

export interface DaemonExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface DaemonProcessOptions {
  /** Daemon options after `--dir D --port 0 --p2p-listen /ip4/127.0.0.1/tcp/0` (e.g. ['--gc-period', '0']); later ones win. */
  readonly args?: readonly string[]
  /** Options of node itself (e.g. ['--cpu-prof', '--cpu-prof-dir', D]). */
  readonly nodeArgs?: readonly string[]
  /** Default 'warn'. */
  readonly logLevel?: string
  /** How long to wait for "listening" (default 30 s). */
  readonly startTimeoutMs?: number
}

export interface DaemonProcess {
  readonly url: string
  readonly pid: number
  readonly child: ChildProcess
  readonly exited: Promise<DaemonExit>
  /** The last 64 KiB of the daemon's stdout and stderr (pino logs), for failure messages. */
  output(): string
  /** Sends `signal` (default SIGKILL) and resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<DaemonExit>
}

const KEEP = 64 * 1024

export function startDaemonProcess(dir: string, o: DaemonProcessOptions = {}): Promise<DaemonProcess> {
  const args = [...(o.nodeArgs ?? []), CLI, 'daemon', '--dir', dir, '--port', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0', '--log-level', o.logLevel ?? 'warn', ...(o.args ?? [])]
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const keep = (d: Buffer): void => {
    out += d.toString()
    if (out.length > 2 * KEEP) out = out.slice(-KEEP)
  }
  // Both pipes are drained for the whole life of the child: a full pipe would block its writes.
  child.stderr!.on('data', keep)
  const exited = new Promise<DaemonExit>((res) => child.once('exit', (code, signal) => res({ code, signal })))
  return new Promise((resolveStart, rejectStart) => {
    let started = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      rejectStart(new Error(`daemon did not start within ${o.startTimeoutMs ?? 30_000} ms:\n${out.slice(-4000)}`))
    }, o.startTimeoutMs ?? 30_000)
    child.stdout!.on('data', (d: Buffer) => {
      keep(d)
      if (started) return
      const m = LISTENING.exec(out)
      if (m === null) return
      started = true
      clearTimeout(timer)
      resolveStart({
        url: m[1],
        pid: child.pid!,
        child,
        exited,
        output: () => out.slice(-KEEP),
        kill: (signal = 'SIGKILL') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          return exited
        },
      })
    })
    void exited.then((e) => {
      if (started) return
      clearTimeout(timer)
      rejectStart(new Error(`daemon exited (${e.code ?? e.signal}) before listening:\n${out.slice(-4000)}`))
    })
  })
}

let clockTicks: number | undefined

/** User + system CPU seconds a live process has used so far (Linux /proc/<pid>/stat, fields 14 and 15). */
export function cpuSecondsOf(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may contain spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) / clockTicks
}
