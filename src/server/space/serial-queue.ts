// One-at-a-time execution of async tasks in arrival order (Peergos SpaceCheckingKeyFilter processes
// mutable pointer events on a single thread): usage records change only inside the queue's tasks.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  /** Runs `task` after every task queued before it; its result or error goes to the caller only. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task)
    this.tail = result.catch(() => undefined)
    return result
  }

  /** Resolves once every task queued so far has finished. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>
    do {
      seen = this.tail
      await seen
    } while (seen !== this.tail)
  }
}
