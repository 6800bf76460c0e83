// DIR/node.json: what other tools and servers need to reach this daemon (its peer id in both forms,
// the PKI node it follows, its dialable multiaddrs and HTTP URL). Written atomically (temp file,
// fsync, rename, fsync of the directory) whenever it changes, one write at a time.
import { open, rename } from 'node:fs/promises'
import { join } from 'node:path'

export const NODE_INFO_FILE = 'node.json'

export interface NodeInfo {
  /** base58 multihash, as libp2p prints it and multiaddrs carry it ("12D3KooW…"). */
  readonly peerId: string
  /** The same id as Peergos' `id` returns it (libp2p-key CIDv1, "z…"). */
  readonly id: string
  /** The PKI node's peer id (ours when this server runs its own PKI). */
  readonly pkiNodeId: string
  /** Addresses others can dial, each ending /p2p/<peerId> (listening, and relayed once reserved). */
  readonly multiaddrs: readonly string[]
  /** This daemon's HTTP API. */
  readonly apiUrl: string
  /** Whether it relays for others (circuit relay v2). */
  readonly relay: boolean
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const fh = await open(path, flags)
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** Writes DIR/node.json atomically; concurrent calls are applied in order, the last one wins. */
export class NodeInfoWriter {
  private chain: Promise<void> = Promise.resolve()

  constructor(private readonly dir: string) {}

  get path(): string {
    return join(this.dir, NODE_INFO_FILE)
  }

  write(info: NodeInfo): Promise<void> {
    const next = this.chain.then(() => this.writeNow(info))
    this.chain = next.catch(() => {})
    return next
  }

  private async writeNow(info: NodeInfo): Promise<void> {
    const tmp = `${this.path}.tmp`
    const fh = await open(tmp, 'w', 0o644)
    try {
      await fh.writeFile(JSON.stringify(info, null, 2) + '\n')
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, this.path)
    await fsyncPath(this.dir, 'r')
  }
}
