// A modal dialog: labelled by its title, focus moved into it, Escape or Cancel closes it.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'

let nextId = 1

export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const box = useRef<HTMLDivElement>(null)
  const titleId = useRef(`modal-title-${nextId++}`).current
  useEffect(() => {
    const first = box.current?.querySelector<HTMLElement>('input, button, select, textarea')
    first?.focus()
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])
  return (
    <div class="modal-backdrop">
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={box}>
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  )
}
