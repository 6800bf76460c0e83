// A friend's safety number: twelve groups of five digits that both users see alike (compare them in
// person or over a channel you trust), marked verified once compared; when the server names another
// identity key than the one first seen for them, a warning instead, and trusting the new key only on
// request.
import { useEffect, useState } from 'preact/hooks'
import type { SafetyNumber } from '../../shared/social-protocol.ts'
import { errorText } from '../lib/error-text.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'
import { ErrorBanner } from './error-banner.tsx'
import { Modal } from './modal.tsx'

export function SafetyNumberDialog({ rpc, username, onClose }: { rpc: WorkerRpc; username: string; onClose: () => void }) {
  const [number, setNumber] = useState<SafetyNumber>()
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [reloads, setReloads] = useState(0)
  useEffect(() => {
    rpc.call('safetyNumber', { username }).then(setNumber, (e) => setError(errorText(e)))
  }, [username, reloads])

  const act = async (f: () => Promise<void>): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      await f()
      setReloads((n) => n + 1)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal title={`Safety number with ${username}`} onClose={onClose}>
      {number === undefined && error === undefined && <p>Computing…</p>}
      {number?.kind === 'key-changed' && (
        <div class="key-changed" role="alert">
          <p><strong>Warning: {username}'s identity key has changed</strong> since you first saw it.</p>
          <p>{number.signedByPrevious ? 'The change is signed by their previous key, as when they change it themselves.' : 'The change is not signed by their previous key: someone else may be pretending to be them.'}</p>
          <p class="hint">{number.message}</p>
          <p>Ask {username} through a channel you trust whether they changed it before you trust the new key.</p>
          <div class="actions">
            <button type="button" class="danger" disabled={busy} onClick={() => void act(() => rpc.call('acceptIdentityKey', { username }))}>Trust the new key</button>
          </div>
        </div>
      )}
      {number?.kind === 'number' && (
        <>
          <p>Compare this number with the one {username} sees for you, in person or over a channel you trust. If they match, nobody is in between.</p>
          <ol class="safety-number" aria-label="Safety number">
            {number.groups.map((g, i) => <li key={i}>{g}</li>)}
          </ol>
          <p class={number.verified ? 'verified' : 'unverified'} role="status">
            {number.verified ? `✓ You verified ${username}.`
              : number.verifiedWithOtherKeys ? `${username}'s keys changed since you verified them: compare again.`
              : 'Not verified yet.'}
          </p>
          <div class="actions">
            {number.verified
              ? <button type="button" disabled={busy} onClick={() => void act(() => rpc.call('markVerified', { username, verified: false }))}>Mark as not verified</button>
              : <button type="button" class="primary" disabled={busy} onClick={() => void act(() => rpc.call('markVerified', { username, verified: true }))}>Mark as verified</button>}
          </div>
        </>
      )}
      <ErrorBanner message={error} />
      <div class="actions">
        <button type="button" onClick={onClose}>Close</button>
      </div>
    </Modal>
  )
}
