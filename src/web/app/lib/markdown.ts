// A small Markdown reader for the text viewer's preview: it turns Markdown into a tree of blocks
// and inline spans (headings, paragraphs, lists, quotes, fenced code, rules, emphasis, strong, code
// spans, links) and nothing else. Raw HTML is not a construct here: it stays text, and the
// renderer (components/markdown-view.tsx) makes only elements it knows with text children, so a
// file's contents never become markup. Links keep only http(s) and mailto targets.

export type Inline =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'code'; readonly v: string }
  | { readonly t: 'em' | 'strong'; readonly c: Inline[] }
  /** `href` undefined: the target was not a safe URL, the text is shown without a link. */
  | { readonly t: 'link'; readonly href: string | undefined; readonly c: Inline[] }

export type Block =
  | { readonly t: 'heading'; readonly level: 1 | 2 | 3 | 4 | 5 | 6; readonly c: Inline[] }
  | { readonly t: 'paragraph'; readonly c: Inline[] }
  | { readonly t: 'code'; readonly lang: string; readonly v: string }
  | { readonly t: 'quote'; readonly c: Block[] }
  | { readonly t: 'list'; readonly ordered: boolean; readonly start: number; readonly items: Inline[][] }
  | { readonly t: 'rule' }

/** Nesting beyond this (quotes in quotes, emphasis in emphasis) is kept as text. */
const MAX_DEPTH = 16

/** The URL of a link, if it is one a preview may open: absolute http(s) or mailto only. */
export function safeHref(raw: string): string | undefined {
  const s = raw.trim()
  let url: URL
  try {
    url = new URL(s)
  } catch {
    return undefined
  }
  return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : undefined
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/
const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)/
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/
const QUOTE = /^ {0,3}>[ ]?/
const BULLET = /^ {0,3}[-*+][ \t]+/
const ORDERED = /^ {0,3}(\d{1,9})[.)][ \t]+/

function isBlank(line: string): boolean {
  return line.trim() === ''
}

function startsBlock(line: string): boolean {
  return HEADING.test(line) || FENCE.test(line) || RULE.test(line) || QUOTE.test(line) || BULLET.test(line) || ORDERED.test(line)
}

export function parseMarkdown(text: string): Block[] {
  return parseBlocks(text.replace(/\r\n?/g, '\n').split('\n'), 0)
}

function parseBlocks(lines: readonly string[], depth: number): Block[] {
  const out: Block[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]
    if (isBlank(line)) {
      i++
      continue
    }
    const fence = FENCE.exec(line)
    if (fence !== null) {
      const marker = fence[1]
      const body: string[] = []
      i++
      while (i < lines.length && !(lines[i].trimStart().startsWith(marker[0].repeat(marker.length)) && lines[i].trim().replace(new RegExp(`^\\${marker[0]}+`), '') === '')) body.push(lines[i++])
      i++ // the closing fence (or the end)
      out.push({ t: 'code', lang: fence[2], v: body.join('\n') })
      continue
    }
    const heading = HEADING.exec(line)
    if (heading !== null) {
      out.push({ t: 'heading', level: heading[1].length as 1 | 2 | 3 | 4 | 5 | 6, c: parseInline(heading[2] ?? '', depth) })
      i++
      continue
    }
    if (RULE.test(line)) {
      out.push({ t: 'rule' })
      i++
      continue
    }
    if (QUOTE.test(line)) {
      const inner: string[] = []
      while (i < lines.length && QUOTE.test(lines[i])) inner.push(lines[i++].replace(QUOTE, ''))
      out.push(depth < MAX_DEPTH ? { t: 'quote', c: parseBlocks(inner, depth + 1) } : { t: 'paragraph', c: [{ t: 'text', v: inner.join('\n') }] })
      continue
    }
    const bullet = BULLET.test(line)
    const ordered = ORDERED.exec(line)
    if (bullet || ordered !== null) {
      const marker = bullet ? BULLET : ORDERED
      const items: Inline[][] = []
      while (i < lines.length && marker.test(lines[i])) {
        const item = [lines[i++].replace(marker, '')]
        // continuation lines: indented, or plain text that starts no block
        while (i < lines.length && !isBlank(lines[i]) && !startsBlock(lines[i])) item.push(lines[i++].trim())
        items.push(parseInline(item.join('\n'), depth))
      }
      out.push({ t: 'list', ordered: !bullet, start: ordered === null ? 1 : Number(ordered[1]), items })
      continue
    }
    const para: string[] = []
    while (i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]))) para.push(lines[i++].trim())
    out.push({ t: 'paragraph', c: parseInline(para.join('\n'), depth) })
  }
  return out
}

const ESCAPABLE = '\\`*_{}[]()#+-.!<>~|"\''

/** Link texts longer than this are not links (and bracket searches stay short: no quadratic scans). */
const MAX_LINK_TEXT = 1000

/** Spans (code, emphasis) longer than this are not spans: every search for a closer is bounded. */
const MAX_SPAN = 10_000

/** Finds marks in one string: each mark's next occurrence is remembered, so scans never repeat (linear overall). */
type Finder = (mark: string, from: number) => number

function finderOf(s: string): Finder {
  const next = new Map<string, number>()
  return (mark, from) => {
    let k = next.get(mark)
    if (k === undefined || (k >= 0 && k < from)) {
      k = s.indexOf(mark, from)
      next.set(mark, k)
    }
    // -1 cached: no occurrence after an earlier `from`, so none after this one either
    return k < 0 || k - from > MAX_SPAN ? -1 : k
  }
}

/**
 * The closing `*`/`_` run of an emphasis: not after a space, and an underscore not inside a word
 * (`snake_case_name` stays text). Candidates are tried a few times within MAX_SPAN.
 */
function closingMark(s: string, find: Finder, mark: string, from: number): number {
  let at = from
  for (let tries = 0; tries < 8; tries++) {
    const end = find(mark, at)
    if (end < 0 || end - from > MAX_SPAN) return -1
    const after = s[end + mark.length] ?? ''
    if (!/\s/.test(s[end - 1]) && !(mark[0] === '_' && /\w/.test(after)) && after !== mark[0]) return end
    at = end + 1
  }
  return -1
}

/** The index of the `]` closing the `[` at `open`, or -1. */
function closingBracket(s: string, find: Finder, open: number): number {
  const first = find(']', open)
  if (first < 0 || first - open > MAX_LINK_TEXT) return -1
  let level = 0
  for (let k = open; k < Math.min(s.length, open + MAX_LINK_TEXT); k++) {
    const ch = s[k]
    if (ch === '\\') k++
    else if (ch === '[') level++
    else if (ch === ']' && --level === 0) return k
  }
  return -1
}

export function parseInline(s: string, depth = 0): Inline[] {
  const find = finderOf(s)
  const out: Inline[] = []
  let text = ''
  const flush = (): void => {
    if (text !== '') out.push({ t: 'text', v: text })
    text = ''
  }
  let i = 0
  while (i < s.length) {
    const ch = s[i]
    if (ch === '\\' && i + 1 < s.length && ESCAPABLE.includes(s[i + 1])) {
      text += s[i + 1]
      i += 2
      continue
    }
    if (ch === '`') {
      let run = 1
      while (s[i + run] === '`') run++
      const ticks = '`'.repeat(run)
      const end = find(ticks, i + run)
      if (end > 0) {
        flush()
        out.push({ t: 'code', v: s.slice(i + run, end).replace(/\n/g, ' ') })
        i = end + run
        continue
      }
      text += ticks
      i += run
      continue
    }
    if ((ch === '*' || ch === '_') && depth < MAX_DEPTH) {
      const double = s[i + 1] === ch
      const mark = double ? ch + ch : ch
      const end = closingMark(s, find, mark, i + mark.length + 1)
      const wordy = ch === '_' && /\w/.test(s[i - 1] ?? '')
      if (end > 0 && !wordy && !/\s/.test(s[i + mark.length])) {
        flush()
        out.push({ t: double ? 'strong' : 'em', c: parseInline(s.slice(i + mark.length, end), depth + 1) })
        i = end + mark.length
        continue
      }
    }
    const image = ch === '!' && s[i + 1] === '['
    if ((ch === '[' || image) && depth < MAX_DEPTH) {
      const open = image ? i + 1 : i
      const close = closingBracket(s, find, open)
      if (close > 0 && s[close + 1] === '(') {
        const end = find(')', close + 2)
        if (end > 0) {
          flush()
          const raw = s.slice(close + 2, end).trim().split(/\s+/)[0] ?? ''
          const target = raw.startsWith('<') && raw.endsWith('>') ? raw.slice(1, -1) : raw
          const label = s.slice(open + 1, close)
          // an image is shown as a link to it: the preview loads nothing from a file's contents
          out.push({ t: 'link', href: safeHref(target), c: label === '' ? [{ t: 'text', v: target }] : parseInline(label, depth + 1) })
          i = end + 1
          continue
        }
      }
    }
    if (ch === '<') {
      const auto = /^<((?:https?|mailto):[^\s<>]+)>/i.exec(s.slice(i, i + 2048))
      if (auto !== null) {
        flush()
        out.push({ t: 'link', href: safeHref(auto[1]), c: [{ t: 'text', v: auto[1] }] })
        i += auto[0].length
        continue
      }
    }
    text += ch
    i++
  }
  flush()
  return out
}
