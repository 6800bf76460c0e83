// Asks the user to confirm something that cannot be undone (delete).
import { useState } from 'preact/hooks'
import { ErrorBanner } from './error-banner.tsx'
import { Modal } from './modal.tsx'

export function ConfirmDialog(p: { title: string; items: readonly string[]; confirmLabel: string; onConfirm: () => Promise<void>; onClose: () => void }) {
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const confirm = async (): Promise<void> => {
    setBusy(true)
    try {
      await p.onConfirm()
    } catch (err) {
      setError((err as Error).message)
      setBusy(false)
    }
  }
  return (
    <Modal title={p.title} onClose={p.onClose}>
      <p>This cannot be undone:</p>
      <ul class="confirm-items">{p.items.map((name) => <li key={name}>{name}</li>)}</ul>
      <ErrorBanner message={error} />
      <div class="actions">
        <button type="button" onClick={p.onClose} disabled={busy}>Cancel</button>
        <button type="button" class="danger" onClick={confirm} disabled={busy}>{busy ? 'Working…' : p.confirmLabel}</button>
      </div>
    </Modal>
  )
}
