// PendingSocialState (Peergos PendingSocialState, stored as /<user>/.social-state.cbor): the names of
// users we sent a follow request to and whose reply we have not processed yet. CBOR
// {pendingOutgoing: [name...]}.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asString, cborMap, Fields } from '../codec/cbor-read.ts'

export interface PendingSocialState {
  readonly pendingOutgoing: readonly string[]
}

export function pendingSocialStateToCbor(s: PendingSocialState): CborValue {
  return cborMap({ pendingOutgoing: [...s.pendingOutgoing] })
}

export function pendingSocialStateFromCbor(v: CborValue): PendingSocialState {
  const f = Fields.of(v, 'PendingSocialState')
  return { pendingOutgoing: unique(f.list('pendingOutgoing').map((x) => asString(x, 'PendingSocialState.pendingOutgoing'))) }
}

export function encodePendingSocialState(s: PendingSocialState): Uint8Array {
  return encodeCbor(pendingSocialStateToCbor(s))
}

export function decodePendingSocialState(bytes: Uint8Array): PendingSocialState {
  return pendingSocialStateFromCbor(decodeCbor(bytes, { maxDepth: 3 }))
}

export function withPending(s: PendingSocialState, name: string): PendingSocialState {
  return { pendingOutgoing: unique([...s.pendingOutgoing, name]) }
}

export function withoutPending(s: PendingSocialState, name: string): PendingSocialState {
  return { pendingOutgoing: s.pendingOutgoing.filter((n) => n !== name) }
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)]
}
