// OpLog (reference §5.3 step 9; Peergos OpLog): everything a signup writes, sent in one atomic call:
// {ops: [PointerWrite | BlockWrite ...], login?: LoginData, loginAuth?: bytes, b?: mirror BatWithId,
// a?: its auth bytes}. An op with an `r` key is a BlockWrite.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import { batWithIdFromCbor, batWithIdToCbor, type BatWithId } from './bat-id.ts'
import { loginDataFromCbor, loginDataToCbor, type LoginData } from './login-data.ts'
import {
  blockWriteFromCbor, blockWriteToCbor, pointerWriteFromCbor, pointerWriteToCbor, type BlockWrite, type PointerWrite,
} from './op-log-writes.ts'

export type OpLogOperation = { readonly kind: 'pointer'; readonly write: PointerWrite } | { readonly kind: 'block'; readonly write: BlockWrite }

export interface OpLog {
  readonly operations: readonly OpLogOperation[]
  readonly login?: { readonly data: LoginData; readonly auth: Uint8Array }
  readonly mirrorBat?: { readonly bat: BatWithId; readonly auth: Uint8Array }
}

function operationToCbor(op: OpLogOperation): CborValue {
  return op.kind === 'block' ? blockWriteToCbor(op.write) : pointerWriteToCbor(op.write)
}

function operationFromCbor(v: CborValue): OpLogOperation {
  const f = Fields.of(v, 'OpLog operation')
  return f.map.has('r') ? { kind: 'block', write: blockWriteFromCbor(v) } : { kind: 'pointer', write: pointerWriteFromCbor(v) }
}

export function opLogToCbor(log: OpLog): CborValue {
  return cborMap({
    a: log.mirrorBat?.auth,
    b: log.mirrorBat === undefined ? undefined : batWithIdToCbor(log.mirrorBat.bat),
    login: log.login === undefined ? undefined : loginDataToCbor(log.login.data),
    loginAuth: log.login?.auth,
    ops: log.operations.map(operationToCbor),
  })
}

export function opLogFromCbor(v: CborValue): OpLog {
  const f = Fields.of(v, 'OpLog')
  const operations = asList(f.req('ops'), 'OpLog.ops').map(operationFromCbor)
  const login = f.raw('login')
  const bat = f.raw('b')
  if (login === undefined && f.has('loginAuth')) throw new CborTypeError('OpLog: loginAuth without login')
  if (bat === undefined && f.has('a')) throw new CborTypeError('OpLog: a without b')
  return {
    operations,
    ...(login === undefined ? {} : { login: { data: loginDataFromCbor(login), auth: f.bytes('loginAuth') } }),
    ...(bat === undefined ? {} : { mirrorBat: { bat: batWithIdFromCbor(bat), auth: f.bytes('a') } }),
  }
}

export function encodeOpLog(log: OpLog): Uint8Array {
  return encodeCbor(opLogToCbor(log))
}

export function decodeOpLog(bytes: Uint8Array): OpLog {
  return opLogFromCbor(decodeCbor(bytes, { maxDepth: 6 }))
}
