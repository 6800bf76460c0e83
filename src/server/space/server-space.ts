// Usage accounting as the daemon wires it (reference §7.5): the options to give the local storage
// services (observed block store, quota check, pointer hook), the SpaceUsage service for the HTTP API,
// a background reconcile after start, and an orderly close that writes the last usage batch.
import type { CryptoProvider } from '../../crypto/provider.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import type { Stores } from '../db/config.ts'
import type { Logger } from '../log.ts'
import type { LocalStorageServices, LocalStorageServicesOptions } from '../services/local-storage-services.ts'
import { LocalSpaceUsage } from './local-space-usage.ts'
import { SpaceAccounting } from './space-accounting.ts'

export interface ServerSpaceOptions {
  readonly crypto: CryptoProvider
  readonly stores: Pick<Stores, 'usage' | 'quotas'>
  readonly usernameOf: (owner: PublicKeyHash) => Promise<string | undefined>
  /** Owners whose writes are never refused (the server's PKI). */
  readonly exempt?: (owner: PublicKeyHash) => boolean
  readonly log: Logger
}

export class ServerSpace {
  readonly accounting: SpaceAccounting

  constructor(private readonly o: ServerSpaceOptions) {
    this.accounting = new SpaceAccounting({
      usage: o.stores.usage,
      quotas: o.stores.quotas,
      usernameOf: o.usernameOf,
      exempt: o.exempt,
      onError: (err) => o.log.error({ err }, 'space usage'),
    })
  }

  /** What createLocalStorageServices needs from the accounting, `blocks` being the server's block store. */
  storageOptions(blocks: ServerBlockStore): Pick<LocalStorageServicesOptions, 'blocks' | 'checkQuota' | 'onPointerChange' | 'onHookError'> {
    return {
      blocks: this.accounting.observe(blocks),
      checkQuota: this.accounting.checkQuota,
      onPointerChange: this.accounting.onPointerChange,
      onHookError: (err) => this.o.log.error({ err }, 'space usage: a pointer change was not accounted'),
    }
  }

  /** Connects the accounting to the services it observes; returns the SpaceUsage service to serve. */
  attach(local: LocalStorageServices): LocalSpaceUsage {
    this.accounting.attach(local.context)
    return new LocalSpaceUsage({ crypto: this.o.crypto, accounting: this.accounting, resolveKey: (h) => local.context.keys.get(h) })
  }

  /** Brings every writer's usage up to its pointer (after a crash) without delaying the start. */
  reconcileInBackground(): void {
    this.accounting.reconcile().then(
      (r) => this.o.log.info({ usage: r }, 'space usage reconciled'),
      (err) => this.o.log.error({ err }, 'space usage reconcile failed'),
    )
  }

  close(): Promise<void> {
    return this.accounting.close()
  }
}
