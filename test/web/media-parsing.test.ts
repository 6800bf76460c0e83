// The pure parts of the web UI's media support, in Node: HTTP Range headers resolved against a file
// size (what the service worker answers), the Peergos thumbnail crop, and the Markdown reader
// (structure, and that raw HTML and unsafe link targets never become markup or hrefs).
import { describe, expect, it } from 'vitest'
import { parseInline, parseMarkdown, safeHref, type Block, type Inline } from '../../src/web/app/lib/markdown.ts'
import { contentRange, resolveRange } from '../../src/web/shared/byte-range.ts'
import { coverSquare } from '../../src/web/shared/thumbnail-geometry.ts'

describe('resolveRange', () => {
  it('resolves single byte ranges', () => {
    expect(resolveRange('bytes=0-99', 1000)).toEqual({ kind: 'partial', offset: 0, length: 100 })
    expect(resolveRange('bytes=900-', 1000)).toEqual({ kind: 'partial', offset: 900, length: 100 })
    expect(resolveRange('bytes=900-5000', 1000)).toEqual({ kind: 'partial', offset: 900, length: 100 })
    expect(resolveRange('bytes=-10', 1000)).toEqual({ kind: 'partial', offset: 990, length: 10 })
    expect(resolveRange('bytes=-5000', 1000)).toEqual({ kind: 'partial', offset: 0, length: 1000 })
    expect(resolveRange('BYTES = 5 - 5', 1000)).toEqual({ kind: 'whole' })
    expect(resolveRange('bytes= 5 - 5', 1000)).toEqual({ kind: 'partial', offset: 5, length: 1 })
    expect(contentRange(990, 10, 1000)).toBe('bytes 990-999/1000')
  })

  it('refuses ranges past the end and ignores what it does not serve', () => {
    expect(resolveRange('bytes=1000-', 1000)).toEqual({ kind: 'unsatisfiable' })
    expect(resolveRange('bytes=2000-3000', 1000)).toEqual({ kind: 'unsatisfiable' })
    expect(resolveRange('bytes=-0', 1000)).toEqual({ kind: 'unsatisfiable' })
    expect(resolveRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' })
    for (const h of [null, 'bytes=5-1', 'bytes=0-1,5-9', 'items=0-1', 'bytes=-', 'bytes=a-b', 'bytes=99999999999999999999-']) expect(resolveRange(h, 1000)).toEqual({ kind: 'whole' })
  })
})

describe('coverSquare (Peergos JavaImageThumbnailer geometry)', () => {
  it('scales the short side to 400 and centres the long one', () => {
    expect(coverSquare(640, 480)).toEqual({ x: -66, y: 0, w: 533, h: 400 })
    expect(coverSquare(480, 640)).toEqual({ x: 0, y: -66, w: 400, h: 533 })
    expect(coverSquare(100, 100)).toEqual({ x: 0, y: 0, w: 400, h: 400 })
  })
})

function texts(list: readonly Inline[]): string {
  return list.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : texts(n.c))).join('')
}

describe('parseMarkdown', () => {
  it('reads headings, paragraphs, lists, quotes, code and rules', () => {
    const doc = parseMarkdown('# Title #\n\nSome *em* and **strong** `code`.\nSecond line\n\n- a\n- b\n\n3. c\n4. d\n\n> quoted\n> # inner\n\n```js\nx < y\n```\n\n---\n')
    expect(doc.map((b) => b.t)).toEqual(['heading', 'paragraph', 'list', 'list', 'quote', 'code', 'rule'])
    expect(doc[0]).toEqual({ t: 'heading', level: 1, c: [{ t: 'text', v: 'Title' }] })
    const para = doc[1] as Extract<Block, { t: 'paragraph' }>
    expect(para.c.map((n) => n.t)).toEqual(['text', 'em', 'text', 'strong', 'text', 'code', 'text'])
    expect(texts(para.c)).toBe('Some em and strong code.\nSecond line')
    expect(doc[3]).toMatchObject({ t: 'list', ordered: true, start: 3 })
    expect((doc[4] as Extract<Block, { t: 'quote' }>).c.map((b) => b.t)).toEqual(['paragraph', 'heading'])
    expect(doc[5]).toEqual({ t: 'code', lang: 'js', v: 'x < y' })
  })

  it('leaves underscores inside words alone', () => {
    expect(parseInline('snake_case_name and window.__x = window.__y')).toEqual([{ t: 'text', v: 'snake_case_name and window.__x = window.__y' }])
    expect(parseInline('a __strong__ word')).toEqual([{ t: 'text', v: 'a ' }, { t: 'strong', c: [{ t: 'text', v: 'strong' }] }, { t: 'text', v: ' word' }])
    expect(parseInline('a * b * c')).toEqual([{ t: 'text', v: 'a * b * c' }])
  })

  it('keeps raw HTML as text and links only to http(s) and mailto', () => {
    const inl = parseInline('<script>alert(1)</script> [a](javascript:alert(1)) [b](https://x.org/) [c](mailto:a@b.c) [d](/relative) [e](data:text/html,x) <https://y.org>')
    const links = inl.filter((n): n is Extract<Inline, { t: 'link' }> => n.t === 'link').map((n) => [texts(n.c), n.href])
    expect(links).toEqual([['a', undefined], ['b', 'https://x.org/'], ['c', 'mailto:a@b.c'], ['d', undefined], ['e', undefined], ['https://y.org', 'https://y.org/']])
    expect(texts(inl)).toContain('<script>alert(1)</script>')
    expect(safeHref(' JavaScript:alert(1)')).toBeUndefined()
    expect(safeHref('vbscript:x')).toBeUndefined()
  })

  it('stays shallow and linear on hostile nesting', () => {
    const deep = '> '.repeat(500) + 'x'
    expect(parseMarkdown(deep)).toHaveLength(1)
    const brackets = '['.repeat(50_000)
    expect(texts(parseInline(brackets))).toBe(brackets)
    const unclosed = '``a '.repeat(30_000) + '*'.repeat(3) + '**x '.repeat(20_000)
    expect(texts(parseInline(unclosed)).length).toBeGreaterThan(100_000)
  })
})
