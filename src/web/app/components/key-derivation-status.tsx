// What the page shows while the client worker derives keys from the password (scrypt) and opens the account.
export function KeyDerivationStatus({ text }: { text: string }) {
  return (
    <div class="key-status" role="status" aria-live="polite">
      <progress aria-label={text} />
      <span>{text}</span>
    </div>
  )
}
