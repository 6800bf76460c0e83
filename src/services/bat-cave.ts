// The BatCave service (reference §7.6): a user's mirror BATs kept by their home server.
import type { Bat } from '../model/bat.ts'
import type { BatId, BatWithId } from '../model/bat-id.ts'

export interface BatCave {
  getUserBats(username: string, auth: Uint8Array): Promise<BatWithId[]>
  addBat(username: string, id: BatId, bat: Bat, auth: Uint8Array): Promise<boolean>
}
