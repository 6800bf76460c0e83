// Password change: the current password and the new one twice, with the rules shown; the old
// password stops working once the server took the new login data.
import { useEffect, useState } from 'preact/hooks'
import type { SessionInfo } from '../../shared/rpc-protocol.ts'
import { ErrorBanner } from '../components/error-banner.tsx'
import { KeyDerivationStatus } from '../components/key-derivation-status.tsx'
import { PasswordRules, passwordProblem } from '../components/password-rules.tsx'
import { errorText } from '../lib/error-text.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'

export function PasswordView({ rpc, session, onDone }: { rpc: WorkerRpc; session: SessionInfo; onDone: () => void }) {
  const [oldPassword, setOld] = useState('')
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const [done, setDone] = useState(false)
  // an error about what was typed goes once it is edited
  useEffect(() => setError(undefined), [oldPassword, password, confirm])
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    const problem = passwordProblem(session.username, password, confirm)
    if (problem !== undefined) return setError(problem)
    setError(undefined)
    setBusy(true)
    try {
      await rpc.call('changePassword', { oldPassword, newPassword: password })
      setDone(true)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }
  if (done) {
    return (
      <main class="auth">
        <h1>Password changed</h1>
        <p role="status">Your password has been changed. Use the new one next time you log in.</p>
        <button type="button" class="primary" onClick={onDone}>Back to the drive</button>
      </main>
    )
  }
  return (
    <main class="auth">
      <h1>Change password</h1>
      <form onSubmit={submit} aria-label="Change password">
        <label>Current password<input name="old-password" type="password" autocomplete="current-password" value={oldPassword} onInput={(e) => setOld(e.currentTarget.value)} required disabled={busy} /></label>
        <label>New password<input name="new-password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required disabled={busy} /></label>
        <label>Repeat new password<input name="confirm" type="password" autocomplete="new-password" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} required disabled={busy} /></label>
        <PasswordRules username={session.username} password={password} confirm={confirm} />
        <ErrorBanner message={error} />
        {busy && <KeyDerivationStatus text="Deriving your new keys…" />}
        <div class="actions">
          <button type="button" onClick={onDone} disabled={busy}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>Change password</button>
        </div>
      </form>
    </main>
  )
}
