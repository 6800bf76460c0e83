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
// the social screens (people, shared with me, a secret link opened without an account)
import './social.css'
import { secretLinkIn } from './lib/secret-link-location.ts'
import { SecretLinkView } from './views/secret-link-view.tsx'
import { SharedWithMeView } from './views/shared-with-me-view.tsx'
import { SocialView } from './views/social-view.tsx'
import { OpenLinkForm } from './components/open-link-form.tsx'

type Screen = 'login' | 'signup' | 'drive' | 'password' | 'people' | 'shared'

export function App({ rpc }: { rpc: WorkerRpc }) {
  const [session, setSession] = useState<SessionInfo>()
  const [screen, setScreen] = useState<Screen>('login')
  // the folder the drive opens at (one shared with us), and the secret link the page was opened for
  const [drivePath, setDrivePath] = useState<string>()
  const [link, setLink] = useState(() => secretLinkIn(location.href))
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
      <AppHeader session={session} onDrive={() => { setDrivePath(undefined); setScreen('drive') }} onPeople={() => setScreen('people')} onShared={() => setScreen('shared')} onPassword={() => setScreen('password')} onLogout={() => void logout()} />
      {link !== undefined
        ? <SecretLinkView rpc={rpc} link={link} onLeave={() => { history.replaceState(null, '', location.pathname); setLink(undefined) }} />
        : session === undefined
        ? screen === 'signup'
          ? <SignupView rpc={rpc} onSignedIn={signedIn} onLogin={() => setScreen('login')} />
          : <><LoginView rpc={rpc} onSignedIn={signedIn} onSignUp={() => setScreen('signup')} /><OpenLinkForm onOpen={setLink} /></>
        : screen === 'password'
          ? <PasswordView rpc={rpc} session={session} onDone={() => setScreen('drive')} />
          : screen === 'people' ? <SocialView rpc={rpc} session={session} />
          : screen === 'shared' ? <SharedWithMeView rpc={rpc} onOpenFolder={(p) => { setDrivePath(p); setScreen('drive') }} />
          : <DriveView key={`${session.username}:${drivePath ?? ''}`} rpc={rpc} session={session} initialPath={drivePath} />}
    </>
  )
}
