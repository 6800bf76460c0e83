// The path of the folder shown, each ancestor a button that opens it.
import { crumbsOf } from '../lib/paths.ts'

export function Breadcrumbs({ path, onOpen }: { path: string; onOpen: (path: string) => void }) {
  const crumbs = crumbsOf(path)
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumbs">
      <ol>
        {crumbs.map((c, i) => (
          <li key={c.path}>
            {i === crumbs.length - 1
              ? <span aria-current="page">{c.label}</span>
              : <button type="button" class="link" onClick={() => onOpen(c.path)}>{c.label}</button>}
          </li>
        ))}
      </ol>
    </nav>
  )
}
