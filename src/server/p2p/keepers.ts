// Connections the daemon keeps up by itself, as libp2p services (started and stopped with the node):
// the configured bootstrap peers (Peergos dials its bootstrap list at start) and the configured
// circuit relays, on which it holds a reservation so that it is reachable at <relay>/p2p-circuit.
// Each is retried with exponential backoff until it succeeds, and again whenever that peer drops.
import type { Libp2pEvents, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, TransportManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log.ts'
import { peerOfAddress } from './addresses.ts'

export interface KeeperOptions {
  /** Longest wait between attempts (the first retry is after FIRST_RETRY_MS, then doubling). */
  readonly maxRetryMs: number
  readonly log?: Logger
}

export interface Keeper extends Startable {
  /** Resolves the first time every target is up (connected, or reserved). */
  readonly ready: Promise<void>
}

interface KeeperComponents {
  readonly connectionManager: ConnectionManager
  readonly transportManager: TransportManager
  readonly events: TypedEventTarget<Libp2pEvents>
}

const FIRST_RETRY_MS = 500


/** Runs `attempt` for each target until it succeeds, and again after its peer disconnects. */
class RetryingKeeper implements Keeper {
  readonly ready: Promise<void>
  private readonly upOnce: Array<() => void> = []
  private readonly up = new Set<string>()
  private readonly pending = new Map<string, NodeJS.Timeout>()
  private running = false

  constructor(
    private readonly what: string,
    private readonly targets: readonly Multiaddr[],
    private readonly events: TypedEventTarget<Libp2pEvents>,
    private readonly attempt: (addr: Multiaddr) => Promise<void>,
    private readonly o: KeeperOptions,
  ) {
    this.ready = Promise.all(targets.map(() => new Promise<void>((resolve) => this.upOnce.push(resolve)))).then(() => {})
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.targets.forEach((addr, i) => {
      const key = addr.toString()
      if (this.running && this.up.has(key) && peerOfAddress(addr).equals(evt.detail)) {
        this.up.delete(key)
        this.o.log?.info({ peer: evt.detail.toString() }, `${this.what} peer disconnected, reconnecting`)
        this.schedule(i, FIRST_RETRY_MS)
      }
    })
  }

  start(): void {
    this.running = true
    this.events.addEventListener('peer:disconnect', this.onDisconnect)
  }

  afterStart(): void {
    this.targets.forEach((_, i) => this.schedule(i, 0))
  }

  stop(): void {
    this.running = false
    this.events.removeEventListener('peer:disconnect', this.onDisconnect)
    for (const t of this.pending.values()) clearTimeout(t)
    this.pending.clear()
  }

  private schedule(i: number, delayMs: number): void {
    const key = this.targets[i].toString()
    if (!this.running || this.pending.has(key)) return
    const timer = setTimeout(() => {
      this.pending.delete(key)
      void this.run(i, delayMs)
    }, delayMs)
    timer.unref()
    this.pending.set(key, timer)
  }

  private async run(i: number, lastDelayMs: number): Promise<void> {
    const addr = this.targets[i]
    try {
      await this.attempt(addr)
      if (!this.running) return
      this.up.add(addr.toString())
      this.upOnce[i]()
      this.o.log?.info({ addr: addr.toString() }, `${this.what} up`)
    } catch (e) {
      if (!this.running) return
      const next = Math.min(Math.max(FIRST_RETRY_MS, lastDelayMs * 2), this.o.maxRetryMs)
      this.o.log?.warn({ addr: addr.toString(), err: (e as Error).message, retryMs: next }, `${this.what} failed, retrying`)
      this.schedule(i, next)
    }
  }
}

/** A libp2p service dialling each bootstrap address until connected, and again whenever its peer drops. */
export function bootstrapKeeper(addrs: readonly Multiaddr[], o: KeeperOptions): (c: KeeperComponents) => Keeper {
  return (c) => new RetryingKeeper('bootstrap', addrs, c.events, async (addr) => {
    await c.connectionManager.openConnection(addr, { signal: AbortSignal.timeout(10_000) })
  }, o)
}

/** A libp2p service holding a reservation on each relay (listening on `<relay>/p2p-circuit`), renewed after a disconnect. */
export function relayKeeper(relays: readonly Multiaddr[], o: KeeperOptions): (c: KeeperComponents) => Keeper {
  return (c) => new RetryingKeeper('relay reservation', relays, c.events, async (relay) => {
    await c.transportManager.listen([relay.encapsulate('/p2p-circuit')])
  }, o)
}
