// The share dialog of a drive item: who it is shared with (read or write, users and groups) with a
// revoke button each, and a form to share it read-only or writable with followers (by name) or with
// the friends or followers group. Revoking rotates the item's keys (it can take a moment on a folder).
import { useEffect, useState } from 'preact/hooks'
import type { Entry } from '../../shared/rpc-protocol.ts'
import type { Grantee, ItemSharing, SocialOverview } from '../../shared/social-protocol.ts'
import { errorText } from '../lib/error-text.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'
import { ErrorBanner } from './error-banner.tsx'
import { Modal } from './modal.tsx'

type Access = 'read' | 'write'

function GranteeRows({ grantees, access, busy, onRevoke }: { grantees: readonly Grantee[]; access: Access; busy: boolean; onRevoke: (g: Grantee, a: Access) => void }) {
  return (
    <>
      {grantees.map((g) => (
        <li key={`${access}:${g.id}`} class="grantee" data-grantee={g.label}>
          <span class="grantee-name">{g.label}</span>
          <span class="grantee-access">{access === 'read' ? 'can view' : 'can edit'}</span>
          <button type="button" class="danger" disabled={busy} onClick={() => onRevoke(g, access)} aria-label={`Revoke ${access} access of ${g.label}`}>Revoke</button>
        </li>
      ))}
    </>
  )
}

export function ShareDialog({ rpc, entry, onClose }: { rpc: WorkerRpc; entry: Entry; onClose: () => void }) {
  const [sharing, setSharing] = useState<ItemSharing>()
  const [people, setPeople] = useState<SocialOverview>()
  const [access, setAccess] = useState<Access>('read')
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set())
  const [error, setError] = useState<string>()
  const [status, setStatus] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [reloads, setReloads] = useState(0)

  useEffect(() => {
    let live = true
    Promise.all([rpc.call('itemSharing', { path: entry.path }), rpc.call('socialOverview', {})]).then(
      ([s, p]) => {
        if (!live) return
        setSharing(s)
        setPeople(p)
      },
      (e) => live && setError(errorText(e)),
    )
    return () => { live = false }
  }, [entry.path, reloads])

  const run = async (what: string, f: () => Promise<void>): Promise<void> => {
    setBusy(true)
    setError(undefined)
    setStatus(`${what}…`)
    try {
      await f()
      setStatus(`${what}: done.`)
      setChosen(new Set())
      setReloads((n) => n + 1)
    } catch (e) {
      setStatus(undefined)
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }
  const toggle = (id: string): void => setChosen((s) => {
    const n = new Set(s)
    if (!n.delete(id)) n.add(id)
    return n
  })
  const submit = (e: Event): void => {
    e.preventDefault()
    if (chosen.size === 0) return setError('Choose at least one person or group to share with.')
    const grantees = [...chosen].filter((id) => access === 'read' || !id.startsWith('.'))
    void run(`Sharing ${entry.name}`, () => rpc.call('share', { path: entry.path, grantees, write: access === 'write' }))
  }
  const revoke = (g: Grantee, a: Access): void => {
    void run(`Revoking ${g.label}'s access`, () => rpc.call('unshare', { path: entry.path, grantees: [g.id], write: a === 'write' }))
  }

  const friends = new Set(people?.friends ?? [])
  const groups = people?.groups ?? []
  const nobody = people !== undefined && people.followers.length === 0
  return (
    <Modal title={`Share ${entry.name}`} onClose={onClose}>
      <section aria-label="Shared with">
        <h3>Shared with</h3>
        {sharing === undefined ? <p>Loading…</p>
          : sharing.read.length + sharing.write.length === 0 ? <p class="empty">Not shared with anyone yet.</p>
          : (
            <ul class="grantees">
              <GranteeRows grantees={sharing.write} access="write" busy={busy} onRevoke={revoke} />
              <GranteeRows grantees={sharing.read} access="read" busy={busy} onRevoke={revoke} />
            </ul>
          )}
      </section>
      <form onSubmit={submit} aria-label="Share with more people">
        <h3>Share with more people</h3>
        <fieldset class="access" disabled={busy}>
          <legend>Access</legend>
          <label class="inline"><input type="radio" name="access" checked={access === 'read'} onChange={() => setAccess('read')} /> View only</label>
          <label class="inline"><input type="radio" name="access" checked={access === 'write'} onChange={() => setAccess('write')} /> Can edit</label>
        </fieldset>
        {nobody ? <p class="empty">Nobody follows you yet: you can share with people who follow you. Send or accept follow requests on the People screen.</p> : (
          <fieldset class="people" disabled={busy || people === undefined}>
            <legend>People and groups</legend>
            {access === 'read' && groups.map((g) => (
              <label class="inline" key={g.uid}>
                <input type="checkbox" checked={chosen.has(g.uid)} onChange={() => toggle(g.uid)} /> All {g.name} ({g.name} group)
              </label>
            ))}
            {(people?.followers ?? []).map((name) => (
              <label class="inline" key={name}>
                <input type="checkbox" checked={chosen.has(name)} onChange={() => toggle(name)} /> {name}{friends.has(name) ? ' (friend)' : ' (follower)'}
              </label>
            ))}
          </fieldset>
        )}
        {access === 'write' && <p class="hint">Editors of a folder can add, change and delete inside it; of a file, change only that file.</p>}
        <ErrorBanner message={error} onDismiss={() => setError(undefined)} />
        {status !== undefined && <p class="status" role="status">{status}</p>}
        <div class="actions">
          <button type="button" onClick={onClose} disabled={busy}>Close</button>
          <button type="submit" class="primary" disabled={busy || nobody}>{busy ? 'Working…' : 'Share'}</button>
        </div>
      </form>
    </Modal>
  )
}
