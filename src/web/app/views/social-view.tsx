// The people screen: send a follow request by username; answer incoming requests (accept, accept and
// follow back, reject); friends, followers and the users we follow, with unfollow, remove follower
// (which rotates the keys of everything they could read) and each one's safety number.
import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import type { SessionInfo } from '../../shared/rpc-protocol.ts'
import type { SocialOverview } from '../../shared/social-protocol.ts'
import { ConfirmDialog } from '../components/confirm-dialog.tsx'
import { ErrorBanner } from '../components/error-banner.tsx'
import { SafetyNumberDialog } from '../components/safety-number-dialog.tsx'
import { errorText } from '../lib/error-text.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'

type Dialog = { kind: 'safety'; username: string } | { kind: 'remove'; username: string }

function PersonList({ title, names, empty, children }: { title: string; names: readonly string[]; empty: string; children: (name: string) => ComponentChildren }) {
  return (
    <section class="people-list" aria-label={title}>
      <h2>{title} <span class="count">{names.length}</span></h2>
      {names.length === 0 ? <p class="empty">{empty}</p> : (
        <ul>
          {names.map((name) => (
            <li key={name} data-person={name}>
              <span class="person-name">{name}</span>
              <span class="person-actions">{children(name)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export function SocialView({ rpc, session }: { rpc: WorkerRpc; session: SessionInfo }) {
  const [overview, setOverview] = useState<SocialOverview>()
  const [target, setTarget] = useState('')
  const [error, setError] = useState<string>()
  const [status, setStatus] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [dialog, setDialog] = useState<Dialog>()
  const [reloads, setReloads] = useState(0)

  useEffect(() => {
    let live = true
    rpc.call('socialOverview', {}).then((o) => live && setOverview(o), (e) => live && setError(errorText(e)))
    return () => { live = false }
  }, [reloads])

  const run = async (what: string, f: () => Promise<unknown>): Promise<void> => {
    setBusy(true)
    setError(undefined)
    setStatus(`${what}…`)
    try {
      await f()
      setStatus(`${what}: done.`)
      setReloads((n) => n + 1)
    } catch (e) {
      setStatus(undefined)
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }
  const follow = (e: Event): void => {
    e.preventDefault()
    const name = target.trim()
    if (name === '') return setError('Enter the username of the person to follow.')
    if (name === session.username) return setError('You cannot follow yourself.')
    void run(`Sending a follow request to ${name}`, async () => {
      await rpc.call('sendFollowRequest', { username: name })
      setTarget('')
    })
  }
  const answer = (from: string, accept: boolean, followBack: boolean): void => {
    const what = !accept ? `Rejecting ${from}` : followBack ? `Accepting ${from} and following back` : `Accepting ${from}`
    void run(what, () => rpc.call('answerFollowRequest', { from, accept, followBack }))
  }

  const o = overview
  const friends = new Set(o?.friends ?? [])
  const safety = (name: string) => <button type="button" onClick={() => setDialog({ kind: 'safety', username: name })} aria-label={`Safety number with ${name}`}>Safety number</button>
  const unfollow = (name: string) => <button type="button" disabled={busy} onClick={() => void run(`Unfollowing ${name}`, () => rpc.call('unfollow', { username: name }))} aria-label={`Unfollow ${name}`}>Unfollow</button>
  const remove = (name: string) => <button type="button" class="danger" disabled={busy} onClick={() => setDialog({ kind: 'remove', username: name })} aria-label={`Remove follower ${name}`}>Remove follower</button>

  return (
    <main class="social">
      <h1>People</h1>
      <form class="follow-form" onSubmit={follow} aria-label="Follow someone">
        <label>
          Username to follow
          <input type="text" value={target} onInput={(e) => setTarget(e.currentTarget.value)} autocomplete="off" autocapitalize="none" spellcheck={false} disabled={busy} />
        </label>
        <button type="submit" class="primary" disabled={busy}>Send follow request</button>
      </form>
      <ErrorBanner message={error} onDismiss={() => setError(undefined)} />
      {status !== undefined && <p class="status" role="status">{status}</p>}
      {o === undefined ? <p aria-busy="true">Loading…</p> : (
        <div class="people-grid">
          <section class="people-list requests" aria-label="Follow requests">
            <h2>Follow requests <span class="count">{o.incoming.length}</span></h2>
            {o.incoming.length === 0 ? <p class="empty">No follow requests waiting.</p> : (
              <ul>
                {o.incoming.map((r) => (
                  <li key={r.from} data-person={r.from}>
                    <span class="person-name">{r.from}</span>
                    <span class="person-actions">
                      <button type="button" class="primary" disabled={busy} onClick={() => answer(r.from, true, true)} aria-label={`Accept ${r.from} and follow back`}>Accept and follow back</button>
                      <button type="button" disabled={busy} onClick={() => answer(r.from, true, false)} aria-label={`Accept ${r.from}`}>Accept</button>
                      <button type="button" class="danger" disabled={busy} onClick={() => answer(r.from, false, false)} aria-label={`Reject ${r.from}`}>Reject</button>
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <PersonList title="Friends" names={o.friends} empty="No friends yet: friends follow each other.">
            {(name) => <>{safety(name)}{unfollow(name)}{remove(name)}</>}
          </PersonList>
          <PersonList title="Followers" names={o.followers.filter((n) => !friends.has(n))} empty="No other followers.">
            {(name) => <>{safety(name)}{remove(name)}</>}
          </PersonList>
          <PersonList title="Following" names={o.following.filter((n) => !friends.has(n))} empty="You follow no one else.">
            {(name) => <>{safety(name)}{unfollow(name)}</>}
          </PersonList>
          <PersonList title="Requests sent" names={o.pendingOutgoing} empty="No requests awaiting an answer.">
            {() => <span class="hint">waiting for an answer</span>}
          </PersonList>
          {o.blocked.length > 0 && (
            <PersonList title="Unfollowed" names={o.blocked} empty="">
              {() => null}
            </PersonList>
          )}
        </div>
      )}
      <p><button type="button" class="link" disabled={busy} onClick={() => setReloads((n) => n + 1)}>Refresh</button></p>
      {dialog?.kind === 'safety' && <SafetyNumberDialog rpc={rpc} username={dialog.username} onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'remove' && (
        <ConfirmDialog title={`Remove follower ${dialog.username}?`} items={[`${dialog.username} will no longer see what you shared with them or their groups (those items get new keys).`]} confirmLabel="Remove follower"
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            const name = dialog.username
            try {
              const r = await rpc.call('removeFollower', { username: name })
              setStatus(`${name} no longer follows you; ${r.rotated.length} item${r.rotated.length === 1 ? '' : 's'} got new keys.${r.notRevoked.length > 0 ? ` Still editable by them: ${r.notRevoked.join(', ')}.` : ''}`)
            } catch (e) {
              throw new Error(errorText(e))
            }
            setDialog(undefined)
            setReloads((n) => n + 1)
          }} />
      )}
    </main>
  )
}
