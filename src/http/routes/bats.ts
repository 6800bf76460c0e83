// The /peergos/v0/bats/ routes (reference §7.6; Peergos BatCaveHandler, HttpBatCave): addBat (reply
// CBOR true) and getUserBats (reply CBOR list of BatWithId). `auth` is the identity's signed
// request for the path "peergos/v0/bats/<method>"; the BatCave implementation checks it.
import { encodeCbor } from '../../codec/cbor.ts'
import { batFromString } from '../../model/bat.ts'
import { batWithIdToCbor, checkBatId } from '../../model/bat-id.ts'
import type { BatCave } from '../../services/bat-cave.ts'
import { BadRequestError } from '../errors.ts'
import { bytesReply } from '../transport.ts'
import { username } from './login.ts'
import { route, type Route, type RouteTable } from './route.ts'

export const BATS_PREFIX = '/peergos/v0/bats/'

export function batRoutes(b: BatCave): RouteTable {
  return new Map<string, Route>([
    ['addBat', route(0, async ({ params: p }) => {
      const auth = p.hex('auth', 4096)
      const user = username(p)
      let id
      try {
        id = checkBatId(p.cid('batid'))
      } catch (e) {
        if (e instanceof BadRequestError) throw e
        throw new BadRequestError("Invalid parameter 'batid': not a BatId")
      }
      let bat
      try {
        bat = batFromString(p.string('bat', 64))
      } catch (e) {
        if (e instanceof BadRequestError) throw e
        throw new BadRequestError("Invalid parameter 'bat': not a BAT")
      }
      await b.addBat(user, id, bat, auth)
      return bytesReply(encodeCbor(true), 'application/cbor')
    })],
    ['getUserBats', route(0, async ({ params: p }) => {
      const auth = p.hex('auth', 4096)
      const bats = await b.getUserBats(username(p), auth)
      return bytesReply(encodeCbor(bats.map(batWithIdToCbor)), 'application/cbor')
    })],
  ])
}
