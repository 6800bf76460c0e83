// The bar at the top: the app's name, who is signed in, password change and logout.
import type { SessionInfo } from '../../shared/rpc-protocol.ts'

export function AppHeader({ session, onDrive, onPassword, onLogout }: { session?: SessionInfo; onDrive: () => void; onPassword: () => void; onLogout: () => void }) {
  return (
    <header class="app-header">
      <span class="brand">Peergos</span>
      {session && (
        <nav aria-label="Account">
          <button type="button" class="link" onClick={onDrive}>Drive</button>
          <span class="who" aria-label="Signed in as">{session.username}</span>
          <button type="button" class="link" onClick={onPassword}>Change password</button>
          <button type="button" onClick={onLogout}>Log out</button>
        </nav>
      )}
    </header>
  )
}
