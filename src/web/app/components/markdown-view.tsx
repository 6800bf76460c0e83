// The Markdown preview: the blocks of lib/markdown.ts turned into Preact elements of a fixed set
// (h1–h6, p, ul/ol/li, blockquote, pre/code, hr, em, strong, code, a) whose only content is text.
// Nothing is parsed as HTML and no attribute comes from the file except a checked http(s)/mailto href.
import type { ComponentChildren } from 'preact'
import type { Block, Inline } from '../lib/markdown.ts'

function inlines(list: readonly Inline[]): ComponentChildren {
  return list.map((n, k) => {
    switch (n.t) {
      case 'text': return n.v
      case 'code': return <code key={k}>{n.v}</code>
      case 'em': return <em key={k}>{inlines(n.c)}</em>
      case 'strong': return <strong key={k}>{inlines(n.c)}</strong>
      case 'link': return n.href === undefined
        ? <span key={k} class="unsafe-link">{inlines(n.c)}</span>
        : <a key={k} href={n.href} target="_blank" rel="noopener noreferrer nofollow">{inlines(n.c)}</a>
    }
  })
}

function blocks(list: readonly Block[]): ComponentChildren {
  return list.map((b, k) => {
    switch (b.t) {
      case 'heading': {
        const H = `h${b.level}` as 'h1'
        return <H key={k}>{inlines(b.c)}</H>
      }
      case 'paragraph': return <p key={k}>{inlines(b.c)}</p>
      case 'code': return <pre key={k}><code>{b.v}</code></pre>
      case 'quote': return <blockquote key={k}>{blocks(b.c)}</blockquote>
      case 'rule': return <hr key={k} />
      case 'list': return b.ordered
        ? <ol key={k} start={b.start}>{b.items.map((it, j) => <li key={j}>{inlines(it)}</li>)}</ol>
        : <ul key={k}>{b.items.map((it, j) => <li key={j}>{inlines(it)}</li>)}</ul>
    }
  })
}

export function MarkdownView({ doc, label }: { doc: readonly Block[]; label: string }) {
  return <article class="markdown-preview" aria-label={label}>{blocks(doc)}</article>
}
