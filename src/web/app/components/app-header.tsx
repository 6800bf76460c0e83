// The bar at the top: the app's name, who is signed in, password change and logout.
import type { SessionInfo } from '../../shared/rpc-protocol.ts'

export function AppHeader({ session, onDrive, onPassword, onLogout, onPeople, onShared }: { session?: SessionInfo; onDrive: () => void; onPassword: () => void; onLogout: () => void; onPeople?: () => void; onShared?: () => void }) {
  return (
    <header class="app-header">
      <span class="brand">Peergos</span>
      {session && (
        <nav aria-label="Account">
          <button type="button" class="link" onClick={onDrive}>Drive</button>
          {onShared && <button type="button" class="link" onClick={onShared}>Shared with me</button>}
          {onPeople && <button type="button" class="link" onClick={onPeople}>People</button>}
          <span class="who" aria-label="Signed in as">{session.username}</span>
          <button type="button" class="link" onClick={onPassword}>Change password</button>
          <button type="button" onClick={onLogout}>Log out</button>
        </nav>
      )}
    </header>
  )
}
