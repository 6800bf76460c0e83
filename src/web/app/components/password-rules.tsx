// The rules a new password must meet (client/password-rules.ts), each shown as met or not while typing.
import { checkNewPassword, MIN_PASSWORD_LENGTH } from '../../../client/password-rules.ts'

function problemOf(username: string, password: string): string | undefined {
  try {
    checkNewPassword(username, password)
    return undefined
  } catch (e) {
    return (e as Error).message
  }
}

export function passwordProblem(username: string, password: string, confirm: string): string | undefined {
  return problemOf(username, password) ?? (password !== confirm ? 'The two passwords do not match.' : undefined)
}

export function PasswordRules({ username, password, confirm }: { username: string; password: string; confirm: string }) {
  const problem = problemOf(username, password)
  const rules: [string, boolean][] = [
    [`At least ${MIN_PASSWORD_LENGTH} characters`, [...password].length >= MIN_PASSWORD_LENGTH],
    ['Not the same as your username', password !== '' && password !== username],
    ['Not one repeated character', new Set(password).size > 1],
    ['Not a commonly used password', password !== '' && (problem === undefined || !/easy to guess/.test(problem))],
    ['Both entries match', password !== '' && password === confirm],
  ]
  return (
    <ul class="password-rules" aria-label="Password rules">
      {rules.map(([text, ok]) => (
        <li key={text} class={ok ? 'ok' : 'todo'}>
          <span aria-hidden="true">{ok ? '✓' : '•'}</span> {text}<span class="visually-hidden">{ok ? ' (met)' : ' (not met)'}</span>
        </li>
      ))}
    </ul>
  )
}
