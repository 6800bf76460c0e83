// A minimal DevTools driver for the web bench (bench/web-plain.ts): Chromium started with
// --remote-debugging-pipe (messages as NUL-terminated JSON on fds 3 and 4), one page target attached
// as a flat session, and only the commands the bench needs (navigate, evaluate, choose files, allow
// downloads). It enables no domain: unlike Playwright, which enables Network in the page and every
// worker (the renderer then copies each request and reply body for DevTools and reports every data
// chunk to the driver), it leaves Chromium doing what it does for a user (bench/web-profile.md, pass 5).
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { CHROMIUM_FLAGS, chromiumPath } from '../test/web/browser.ts'

interface Message { id?: number; method?: string; sessionId?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string } }

export class PipeBrowser {
  private nextId = 1
  private readonly replies = new Map<number, (m: Message) => void>()
  private readonly listeners = new Set<(m: Message) => void>()
  private pending = ''

  private constructor(private readonly child: ChildProcess) {
    const out = child.stdio[4] as Readable
    out.setEncoding('utf8')
    out.on('data', (text: string) => {
      const parts = (this.pending + text).split('\0')
      this.pending = parts.pop()!
      for (const p of parts) {
        const m = JSON.parse(p) as Message
        if (m.id !== undefined) this.replies.get(m.id)?.(m)
        else for (const l of this.listeners) l(m)
      }
    })
  }

  /** Headless Chromium with the web tests' flags and its own profile directory. */
  static launch(userDataDir: string): PipeBrowser {
    const child = spawn(chromiumPath()!, ['--headless', ...CHROMIUM_FLAGS, '--remote-debugging-pipe', `--user-data-dir=${userDataDir}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] })
    return new PipeBrowser(child)
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.replies.set(id, (m) => {
        this.replies.delete(id)
        if (m.error !== undefined) reject(new Error(`${method}: ${m.error.message}`))
        else resolve(m.result ?? {})
      })
      ;(this.child.stdio[3] as Writable).write(JSON.stringify({ id, method, params, sessionId }) + '\0')
    })
  }

  /** Resolves with the params of the first event `method` for which `match` holds. */
  waitFor(method: string, match: (params: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const l = (m: Message): void => {
        if (m.method === method && match(m.params ?? {})) {
          this.listeners.delete(l)
          resolve(m.params ?? {})
        }
      }
      this.listeners.add(l)
    })
  }

  /** A new page (in a fresh browser context when `fresh`), attached as a flat session. */
  async newPage(fresh = false): Promise<PipePage> {
    const context = fresh ? (await this.send('Target.createBrowserContext')).browserContextId : undefined
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank', ...(context === undefined ? {} : { browserContextId: context }) })
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true })
    return new PipePage(this, sessionId as string, targetId as string)
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r))
    await this.send('Browser.close').catch(() => {})
    await exited
  }
}

export class PipePage {
  constructor(private readonly browser: PipeBrowser, private readonly session: string, readonly targetId: string) {}

  async goto(url: string): Promise<void> {
    await this.browser.send('Page.navigate', { url }, this.session)
    await this.waitUntil('document.readyState === "complete"')
  }

  /** The value of `expression` (awaited when a promise); throws what the page threw. */
  async evaluate(expression: string): Promise<unknown> {
    const r = await this.browser.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, this.session)
    if (r.exceptionDetails !== undefined) throw new Error(`evaluate: ${JSON.stringify(r.exceptionDetails).slice(0, 500)}`)
    return (r.result as { value?: unknown }).value
  }

  /** Polls `condition` in the page every 50 ms (no frames requested, as the Playwright bench polls). */
  async waitUntil(condition: string, timeoutMs = 600_000): Promise<void> {
    await this.evaluate(`new Promise((resolve, reject) => { const t0 = Date.now(); const check = () => { let ok = false; try { ok = (${condition}) } catch {} if (ok) resolve(true); else if (Date.now() - t0 > ${timeoutMs}) reject(new Error('timed out: ' + ${JSON.stringify(condition)})); else setTimeout(check, 50) }; check() })`)
  }

  /** Chooses `files` in the file input `selector`. */
  async setInputFiles(selector: string, files: string[]): Promise<void> {
    const r = await this.browser.send('Runtime.evaluate', { expression: `document.querySelector(${JSON.stringify(selector)})` }, this.session)
    const objectId = (r.result as { objectId?: string }).objectId
    if (objectId === undefined) throw new Error(`no element ${selector}`)
    await this.browser.send('DOM.setFileInputFiles', { files, objectId }, this.session)
  }
}
