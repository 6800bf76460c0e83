// The drive's sharing actions for one selected item of the user's own: "Share…" (users and groups,
// shared-with and revoke) and "Secret link…" (links with their limits, copy, QR code, revoke).
import { useState } from 'preact/hooks'
import type { Entry } from '../../shared/rpc-protocol.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'
import { LinkDialog } from './link-dialog.tsx'
import { ShareDialog } from './share-dialog.tsx'

export function ItemSharing({ rpc, home, selected }: { rpc: WorkerRpc; home: string; selected: readonly Entry[] }) {
  const [dialog, setDialog] = useState<{ kind: 'share' | 'link'; entry: Entry }>()
  const entry = selected.length === 1 && selected[0].path.startsWith(home + '/') ? selected[0] : undefined
  return (
    <div class="group item-sharing" role="group" aria-label="Sharing">
      <button type="button" disabled={entry === undefined} onClick={() => entry && setDialog({ kind: 'share', entry })}>Share…</button>
      <button type="button" disabled={entry === undefined} onClick={() => entry && setDialog({ kind: 'link', entry })}>Secret link…</button>
      {dialog?.kind === 'share' && <ShareDialog rpc={rpc} entry={dialog.entry} onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'link' && <LinkDialog rpc={rpc} entry={dialog.entry} onClose={() => setDialog(undefined)} />}
    </div>
  )
}
