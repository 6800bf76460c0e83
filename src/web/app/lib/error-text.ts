// Readable text for the typed errors of the client library (by class name, as they cross the
// worker boundary): what happened and, where there is one, what the user can do.
const TEXTS: Record<string, string | ((message: string) => string)> = {
  IncorrectPasswordError: 'Incorrect username or password.',
  NotFoundError: (m) => (m.startsWith('Unknown user') ? 'Incorrect username or password.' : `Not found: ${m}`),
  WeakPasswordError: (m) => `${m}.`.replace(/!\.$/, '!').replace(/\.\.$/, '.'),
  PasswordChangeError: (m) => m,
  FileExistsError: 'An item with that name already exists here. Choose another name.',
  NotADirectoryError: 'That is a file, not a folder.',
  UnsupportedOperationError: (m) => m,
  InvalidUsernameError: 'That username is not allowed: use 1 to 32 lowercase letters, digits, _ or - (not starting or ending with them).',
  UsernameTakenError: 'That username is already taken.',
  SignupError: (m) => m,
  QuotaExceededError: 'Your storage quota is full. Delete something or ask your server operator for more space.',
  RateLimitError: 'Too many attempts. Please wait a few minutes and try again.',
  HttpTransportError: 'Could not reach the server. Check the connection and try again.',
  HttpStatusError: (m) => `The server refused the request (${m}).`,
  MfaRequiredError: 'This account needs a second factor, which this web app does not support yet. Use the command line.',
  NotSignedInError: 'Your session has ended. Please log in again.',
  WorkerCrashedError: 'The encryption worker stopped. Reload the page.',
  AbortError: 'Cancelled.',
}

export function errorText(e: unknown): string {
  const name = e instanceof Error ? e.name : ''
  const message = e instanceof Error ? e.message : String(e)
  const t = TEXTS[name]
  if (typeof t === 'string') return t
  if (t !== undefined) return t(message)
  return message === '' ? 'Something went wrong.' : message
}

export function isCancel(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError'
}
