// One consistent view of the user's own files for the reads of one social step: every path is resolved
// from the home directory through a single TreeReader snapshot, so the root writer's pointer is read
// once for the whole step instead of once per file (FileSystem reads take a snapshot each), and not at
// all when this client committed it a moment ago (as the FileSystem locates its writes). Folders
// met on the way are remembered. A step reads through a view, then commits its changes (batch.ts);
// later steps take a new view.
import type { AbsoluteCapability } from '../../model/capability.ts'
import { NotFoundError } from '../errors.ts'
import { readFileRange } from '../file-download.ts'
import { parsePath } from '../paths.ts'
import type { TreeReader } from '../tree-reader.ts'
import type { SocialContext } from './context.ts'
import { concatAll } from '../../model/bytes.ts'

/** What the social state files are read through: a view, or the FileSystem itself. */
export interface OwnFiles {
  /** The file's bytes, or undefined when there is no such file. */
  read(path: string): Promise<Uint8Array | undefined>
  exists(path: string): Promise<boolean>
  /** The folder's entries (names and whether each is a folder); NotFoundError when there is no such folder. */
  list(path: string): Promise<{ name: string; isDirectory: boolean }[]>
}

export class OwnView implements OwnFiles {
  private readonly r: TreeReader
  private readonly caps = new Map<string, Promise<AbsoluteCapability | undefined>>()

  constructor(private readonly x: SocialContext) {
    // the version of our root writer this client committed in the last moments is taken as is (no pointer read)
    this.r = x.reader.snapshot((w) => (w.equals(x.rootWriter.writer) ? x.rootWriter.lastCommitted : undefined))
  }

  /** The capability of our item at `path` (write-share link nodes give their targets), or undefined. */
  resolve(path: string): Promise<AbsoluteCapability | undefined> {
    const { owner, names } = parsePath(path)
    if (owner !== this.x.username) return Promise.reject(new NotFoundError(`${path} is not ours`))
    const key = '/' + [owner, ...names].join('/')
    let p = this.caps.get(key)
    if (p === undefined) {
      p = names.length === 0
        ? Promise.resolve(this.x.home)
        : this.resolve('/' + [owner, ...names.slice(0, -1)].join('/')).then(async (parent) => {
          if (parent === undefined) return undefined
          const child = await this.r.findChild(parent, names[names.length - 1]).catch((e: unknown) => {
            if (e instanceof NotFoundError) return undefined // the parent is a file
            throw e
          })
          return child === undefined ? undefined : this.r.linkTarget(child)
        })
      this.caps.set(key, p)
    }
    return p
  }

  async exists(path: string): Promise<boolean> {
    return (await this.resolve(path)) !== undefined
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    const cap = await this.resolve(path)
    if (cap === undefined) return undefined
    const entry = await this.r.stat(cap)
    if (entry.isDirectory) throw new NotFoundError(`${path} is a directory`)
    const parts: Uint8Array[] = []
    for await (const p of readFileRange(this.r, cap, entry.properties)) parts.push(p)
    return parts.length === 1 ? parts[0] : concatAll(parts)
  }

  async list(path: string): Promise<{ name: string; isDirectory: boolean }[]> {
    const cap = await this.resolve(path)
    if (cap === undefined) throw new NotFoundError(`${path}: no such directory`)
    return (await this.r.list(cap)).map((e) => ({ name: e.name, isDirectory: e.isDirectory }))
  }
}

/** The FileSystem as OwnFiles (each read its own snapshot). */
export function fsFiles(x: SocialContext): OwnFiles {
  return {
    read: async (path) => {
      try {
        return await x.fs.readFileBytes(path)
      } catch (e) {
        if (e instanceof NotFoundError) return undefined
        throw e
      }
    },
    exists: (path) => x.fs.exists(path),
    list: async (path) => (await x.fs.list(path)).map((e) => ({ name: e.name, isDirectory: e.isDirectory })),
  }
}
