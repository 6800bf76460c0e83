// The worker threads of the block store's pools (fragment-workers.ts, small-reads.ts): at most `size`,
// started when first needed, each doing one job (a message and its reply) at a time; an idle worker
// does not keep the process alive, and a worker that dies fails the job it held and is dropped (the
// owner's next job starts another).
import { Worker } from 'node:worker_threads'

/** What a pool does with its workers: send a job, take a reply, hand out the next job, fail a job. */
export interface WorkerJobs<J> {
  /** Posts `job` to `worker` (now busy with it). */
  send(worker: Worker, job: J): void
  /** `worker` answered `job`; it is already free again, or busy with next()'s job. */
  answered(job: J, reply: unknown): void
  /** The job for a worker that just became free, if any is waiting. */
  next(): J | undefined
  /** A worker died holding `job` (undefined when it held none, or for a second report of the same death). */
  died(job: J | undefined, error: Error): void
}

export class WorkerSlots<J> {
  private readonly idle: Worker[] = []
  private readonly busy = new Map<Worker, J>()

  /** `program`: CommonJS run with `eval`, so the same text works from the sources, the CLI bundle and the tests. */
  constructor(private readonly size: number, private readonly program: string, private readonly name: string, private readonly jobs: WorkerJobs<J>) {}

  /** Workers started and alive. */
  get count(): number {
    return this.idle.length + this.busy.size
  }

  /** Whether run() would find a worker now (an idle one, or room to start one). */
  get hasFree(): boolean {
    return this.idle.length > 0 || this.count < this.size
  }

  /** Gives `job` to a free worker; false (nothing sent) when every worker is busy. */
  run(job: J): boolean {
    const worker = this.idle.pop() ?? (this.count < this.size ? this.start() : undefined)
    if (worker === undefined) return false
    this.assign(worker, job)
    return true
  }

  /** Stops every worker; jobs in flight fail through died(). */
  async close(): Promise<void> {
    const all = [...this.idle, ...this.busy.keys()]
    this.idle.length = 0
    await Promise.all(all.map((w) => w.terminate()))
  }

  private assign(worker: Worker, job: J): void {
    this.busy.set(worker, job)
    worker.ref()
    this.jobs.send(worker, job)
  }

  private start(): Worker {
    const worker = new Worker(this.program, { eval: true, name: this.name })
    worker.on('message', (reply: unknown) => {
      const job = this.busy.get(worker)
      this.busy.delete(worker)
      const next = this.jobs.next()
      if (next !== undefined) this.assign(worker, next)
      else {
        worker.unref()
        this.idle.push(worker)
      }
      if (job !== undefined) this.jobs.answered(job, reply)
    })
    const gone = (e: Error): void => {
      const job = this.busy.get(worker)
      this.busy.delete(worker)
      const i = this.idle.indexOf(worker)
      if (i >= 0) this.idle.splice(i, 1)
      this.jobs.died(job, e)
    }
    worker.once('error', gone)
    worker.once('exit', (code) => gone(new Error(`exit code ${code}`)))
    return worker
  }
}
