// Drive paths on the page: "/<username>/a/b", joined and split the way FileSystem takes them.
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

/** The crumbs from the home folder down to `path`: [label, path] pairs. */
export function crumbsOf(path: string): { label: string; path: string }[] {
  const parts = path.split('/').filter((p) => p !== '')
  return parts.map((label, i) => ({ label, path: '/' + parts.slice(0, i + 1).join('/') }))
}

/** A name the drive can store: not empty, no slash, not "." or "..". */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'A name cannot be empty.'
  if (name.includes('/')) return 'A name cannot contain "/".'
  if (name === '.' || name === '..') return 'That name is reserved.'
  return undefined
}
