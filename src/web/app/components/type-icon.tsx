// A folder or file icon drawn as inline SVG (no emoji font needed, nothing fetched, CSP-safe);
// it scales with the text (1em) and takes the current colour.
export function TypeIcon({ folder, class: cls }: { folder: boolean; class?: string }) {
  return (
    <svg class={`entry-icon ${cls ?? ''}`} viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false">
      {folder
        ? <path fill="currentColor" d="M3 5.5A1.5 1.5 0 0 1 4.5 4h4.4l2 2.2h8.6A1.5 1.5 0 0 1 21 7.7v10.8a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z" />
        : <path fill="currentColor" d="M6 2.5h8.2L19 7.3v13.2a1.5 1.5 0 0 1-1.5 1.5h-11.5a1.5 1.5 0 0 1-1.5-1.5v-16.5A1.5 1.5 0 0 1 6 2.5zm7.5 1.2v4.3h4.3z" />}
    </svg>
  )
}
