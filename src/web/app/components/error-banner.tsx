// An error message the user can read and dismiss (announced to screen readers as an alert).
export function ErrorBanner({ message, onDismiss }: { message: string | undefined; onDismiss?: () => void }) {
  if (message === undefined) return null
  return (
    <div class="error-banner" role="alert">
      <span>{message}</span>
      {onDismiss && <button type="button" class="link" aria-label="Dismiss error" onClick={onDismiss}>×</button>}
    </div>
  )
}
