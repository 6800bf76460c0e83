// The signup screen: username, password twice, the password rules shown as they are met; the
// account is created by the worker (keys derived locally, only public data sent).
import { useEffect, useState } from 'preact/hooks'
import type { SessionInfo } from '../../shared/rpc-protocol.ts'
import { ErrorBanner } from '../components/error-banner.tsx'
import { KeyDerivationStatus } from '../components/key-derivation-status.tsx'
import { PasswordRules, passwordProblem } from '../components/password-rules.tsx'
import { errorText } from '../lib/error-text.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'

export function SignupView({ rpc, onSignedIn, onLogin }: { rpc: WorkerRpc; onSignedIn: (s: SessionInfo) => void; onLogin: () => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  // an error about what was typed goes once it is edited
  useEffect(() => setError(undefined), [username, password, confirm])
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    const problem = passwordProblem(username.trim(), password, confirm)
    if (problem !== undefined) return setError(problem)
    setError(undefined)
    setBusy(true)
    try {
      onSignedIn(await rpc.call('signUp', { username: username.trim(), password }))
    } catch (err) {
      setError(errorText(err))
      setBusy(false)
    }
  }
  return (
    <main class="auth">
      <h1>Create an account</h1>
      <form onSubmit={submit} aria-label="Sign up">
        <label>Username<input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required disabled={busy} /></label>
        <label>Password<input name="password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required disabled={busy} /></label>
        <label>Repeat password<input name="confirm" type="password" autocomplete="new-password" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} required disabled={busy} /></label>
        <PasswordRules username={username.trim()} password={password} confirm={confirm} />
        <ErrorBanner message={error} />
        {busy && <KeyDerivationStatus text="Generating your keys and creating your account…" />}
        <button type="submit" class="primary" disabled={busy}>Sign up</button>
      </form>
      <p>Already have an account? <button type="button" class="link" onClick={onLogin}>Log in</button></p>
    </main>
  )
}
