// Workers under a Chromium page, reached through the DevTools protocol (used by test/web/transfer.test.ts
// and bench/web-profile.ts): auto-attach from the page, each attached worker asked to auto-attach its own
// (non-flat sessions, whose messages travel inside Target.sendMessageToTarget of the parent, so nested
// workers such as the client worker's chunk helpers are reached too).
import type { CDPSession } from 'playwright-core'

/** A DevTools session on one worker (or service worker). */
export class WorkerTarget {
  private nextId = 1
  private readonly replies = new Map<number, (result: unknown) => void>()
  private readonly children = new Map<string, WorkerTarget>()

  constructor(private readonly sendVia: (message: string) => void, readonly url: string, private readonly all: WorkerTarget[]) {
    all.push(this)
    void this.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false })
  }

  send(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++
    return new Promise((resolve) => {
      this.replies.set(id, resolve)
      this.sendVia(JSON.stringify({ id, method, params }))
    })
  }

  receive(message: string): void {
    const m = JSON.parse(message) as { id?: number; result?: unknown; method?: string; params?: { sessionId: string; targetInfo: { url: string }; message: string } }
    if (m.id !== undefined) {
      this.replies.get(m.id)?.(m.result)
      this.replies.delete(m.id)
    } else if (m.method === 'Target.attachedToTarget') {
      const sessionId = m.params!.sessionId
      this.children.set(sessionId, new WorkerTarget((inner) => void this.send('Target.sendMessageToTarget', { sessionId, message: inner }), m.params!.targetInfo.url, this.all))
    } else if (m.method === 'Target.receivedMessageFromTarget') this.children.get(m.params!.sessionId)?.receive(m.params!.message)
    else if (m.method === 'Target.detachedFromTarget') this.children.get(m.params!.sessionId)?.detach()
  }

  /** The worker is gone (its page reloaded): it and the workers under it leave the list. */
  detach(): void {
    const at = this.all.indexOf(this)
    if (at >= 0) this.all.splice(at, 1)
    for (const child of this.children.values()) child.detach()
    this.children.clear()
  }
}

/**
 * Watches the workers of the page behind `cdp`, nested ones included, into `all` (which it returns);
 * `label` names a root target from its type and URL.
 */
export async function watchWorkers(cdp: CDPSession, all: WorkerTarget[] = [], label: (type: string, url: string) => string = (_t, url) => url): Promise<WorkerTarget[]> {
  const roots = new Map<string, WorkerTarget>()
  cdp.on('Target.attachedToTarget', (e) => {
    roots.set(e.sessionId, new WorkerTarget((message) => void cdp.send('Target.sendMessageToTarget', { sessionId: e.sessionId, message }).catch(() => {}), label(e.targetInfo.type, e.targetInfo.url), all))
  })
  cdp.on('Target.receivedMessageFromTarget', (e) => roots.get(e.sessionId)?.receive(e.message))
  cdp.on('Target.detachedFromTarget', (e) => {
    roots.get(e.sessionId)?.detach()
    roots.delete(e.sessionId)
  })
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false })
  return all
}
