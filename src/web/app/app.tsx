// The app shell: which screen is shown (login, signup, drive, password change) and the session.
// To add a screen: a view in views/, a Screen value here, and a way to reach it (AppHeader).
import { useState } from 'preact/hooks'
import type { SessionInfo } from '../shared/rpc-protocol.ts'
import { AppHeader } from './components/app-header.tsx'
import type { WorkerRpc } from './lib/worker-rpc.ts'
import { DriveView } from './views/drive-view.tsx'
import { LoginView } from './views/login-view.tsx'
import { PasswordView } from './views/password-view.tsx'
import { SignupView } from './views/signup-view.tsx'

type Screen = 'login' | 'signup' | 'drive' | 'password'

export function App({ rpc }: { rpc: WorkerRpc }) {
  const [session, setSession] = useState<SessionInfo>()
  const [screen, setScreen] = useState<Screen>('login')
  const signedIn = (s: SessionInfo): void => {
    setSession(s)
    setScreen('drive')
  }
  const logout = async (): Promise<void> => {
    await rpc.call('signOut', {}).catch(() => {})
    setSession(undefined)
    setScreen('login')
  }
  return (
    <>
      <AppHeader session={session} onDrive={() => setScreen('drive')} onPassword={() => setScreen('password')} onLogout={() => void logout()} />
      {session === undefined
        ? screen === 'signup'
          ? <SignupView rpc={rpc} onSignedIn={signedIn} onLogin={() => setScreen('login')} />
          : <LoginView rpc={rpc} onSignedIn={signedIn} onSignUp={() => setScreen('signup')} />
        : screen === 'password'
          ? <PasswordView rpc={rpc} session={session} onDone={() => setScreen('drive')} />
          : <DriveView key={session.username} rpc={rpc} session={session} />}
    </>
  )
}
