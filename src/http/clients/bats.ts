// HttpBatCave: the BatCave interface over /peergos/v0/bats/ (reference §7.6; Peergos HttpBatCave):
// everything in the query (batid as a CID string, bat as multibase base58), CBOR replies.
import { decodeCbor } from '../../codec/cbor.ts'
import { asBool, asList } from '../../codec/cbor-read.ts'
import { cidToString } from '../../codec/cid.ts'
import { batToString, type Bat } from '../../model/bat.ts'
import { batWithIdFromCbor, type BatId, type BatWithId } from '../../model/bat-id.ts'
import { bytesToHex } from '../../model/bytes.ts'
import type { BatCave } from '../../services/bat-cave.ts'
import { HttpClientBase, query } from './common.ts'

const BATS = 'peergos/v0/bats/'

export class HttpBatCave extends HttpClientBase implements BatCave {
  async getUserBats(username: string, auth: Uint8Array): Promise<BatWithId[]> {
    const reply = await this.read(BATS + 'getUserBats' + query([['username', username], ['auth', bytesToHex(auth)]]))
    return asList(decodeCbor(reply, { maxDepth: 3 }), 'getUserBats').map(batWithIdFromCbor)
  }

  async addBat(username: string, id: BatId, bat: Bat, auth: Uint8Array): Promise<boolean> {
    const path = BATS + 'addBat' + query([['username', username], ['batid', cidToString(id)], ['bat', batToString(bat)], ['auth', bytesToHex(auth)]])
    return asBool(decodeCbor(await this.read(path), { maxDepth: 1 }), 'addBat')
  }
}
