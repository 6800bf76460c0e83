// The name of a listed entry as a button: opens a folder or downloads a file, labelled for either.
import type { Entry } from '../../shared/rpc-protocol.ts'

export function entryActionLabel(e: Pick<Entry, 'name' | 'isDirectory'>): string {
  return e.isDirectory ? `Open folder ${e.name}` : `Download ${e.name}`
}

export function EntryNameButton({ entry, onOpen }: { entry: Entry; onOpen: (e: Entry) => void }) {
  return <button type="button" class="link entry-name" onClick={() => onOpen(entry)} aria-label={entryActionLabel(entry)}>{entry.name}</button>
}
