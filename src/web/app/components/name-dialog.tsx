// Asks for a name or a path (new folder, rename, move/copy destination), checked before it is used.
import { useState } from 'preact/hooks'
import { ErrorBanner } from './error-banner.tsx'
import { Modal } from './modal.tsx'

export interface NameDialogProps {
  readonly title: string
  readonly label: string
  readonly initial: string
  readonly submitLabel: string
  /** Returns a problem to show, or undefined when the value is fine. */
  readonly check: (value: string) => string | undefined
  readonly onSubmit: (value: string) => Promise<void>
  readonly onClose: () => void
}

export function NameDialog(p: NameDialogProps) {
  const [value, setValue] = useState(p.initial)
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    const problem = p.check(value)
    if (problem !== undefined) return setError(problem)
    setBusy(true)
    try {
      await p.onSubmit(value)
    } catch (err) {
      setError((err as Error).message)
      setBusy(false)
    }
  }
  return (
    <Modal title={p.title} onClose={p.onClose}>
      <form onSubmit={submit}>
        <label>
          {p.label}
          <input type="text" value={value} onInput={(e) => setValue(e.currentTarget.value)} aria-label={p.label} required disabled={busy} />
        </label>
        <ErrorBanner message={error} />
        <div class="actions">
          <button type="button" onClick={p.onClose} disabled={busy}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Working…' : p.submitLabel}</button>
        </div>
      </form>
    </Modal>
  )
}
