// A small counting semaphore: at most `max` of the calls given to run() at once, the others in turn
// (a listing's champ/get/bulk calls; a migration's block fetches).
export class Limiter {
  private active = 0
  private readonly waiting: (() => void)[] = []
  constructor(private readonly max: number) {}

  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.active++
    try {
      return await f()
    } finally {
      const next = this.waiting.shift()
      if (next !== undefined) next() // the slot passes on
      else this.active--
    }
  }
}
