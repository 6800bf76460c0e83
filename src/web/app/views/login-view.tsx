// The login screen: username and password; a visible progress state while the worker derives the
// keys; readable errors (a wrong password says so).
import { useState } from 'preact/hooks'
import type { SessionInfo } from '../../shared/rpc-protocol.ts'
import { ErrorBanner } from '../components/error-banner.tsx'
import { KeyDerivationStatus } from '../components/key-derivation-status.tsx'
import { errorText } from '../lib/error-text.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'

export function LoginView({ rpc, onSignedIn, onSignUp }: { rpc: WorkerRpc; onSignedIn: (s: SessionInfo) => void; onSignUp: () => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(undefined)
    setBusy(true)
    try {
      onSignedIn(await rpc.call('signIn', { username: username.trim(), password }))
    } catch (err) {
      setError(errorText(err))
      setBusy(false)
    }
  }
  return (
    <main class="auth">
      <h1>Log in</h1>
      <form onSubmit={submit} aria-label="Log in">
        <label>Username<input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required disabled={busy} /></label>
        <label>Password<input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required disabled={busy} /></label>
        <ErrorBanner message={error} />
        {busy && <KeyDerivationStatus text="Deriving your keys from your password…" />}
        <button type="submit" class="primary" disabled={busy}>Log in</button>
      </form>
      <p>New here? <button type="button" class="link" onClick={onSignUp}>Create an account</button></p>
    </main>
  )
}
