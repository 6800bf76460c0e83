// In-memory, non-validating implementations of the seven service interfaces, seeded with the real
// Peergos account dump where it helps (chains, login row, follow request, BATs), so every endpoint can
// be driven both directly and through HTTP client → node server → router → the same object.
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { blockCid, cidToString, parseCid, type CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import type { Bat } from '../../src/model/bat.ts'
import { batWithIdFromCbor, type BatId, type BatWithId } from '../../src/model/bat-id.ts'
import type { EncryptedCapability } from '../../src/model/encrypted-capability.ts'
import { CasFailedError, IncorrectPasswordError } from '../../src/model/errors.ts'
import type { LoginData } from '../../src/model/login-data.ts'
import type { SignedPointerUpdate } from '../../src/model/multi-writer-commit.ts'
import type { OpLog } from '../../src/model/op-log.ts'
import type { ProofOfWork } from '../../src/model/proof-of-work.ts'
import type { PublicKeyHash } from '../../src/model/signing-keys.ts'
import { chainHomeServer, decodeChain, type UserPublicKeyLink } from '../../src/model/user-public-key-link.ts'
import type { UserStaticData } from '../../src/model/user-static-data.ts'
import type { ApiServices } from '../../src/http/router.ts'
import { pointerCasMessage } from '../../src/http/errors.ts'
import type { ChunkMirrorCap } from '../../src/services/content-addressed-storage.ts'
import { MfaRequiredError, QuotaExceededError } from '../../src/services/errors.ts'
import { loginDataOfRow } from '../model/account.ts'
import { hex, loadVector } from '../vectors.ts'

export type AllServices = { [K in keyof ApiServices]-?: NonNullable<ApiServices[K]> }

export interface Fixtures {
  serverId: CID
  alice: PublicKeyHash
  chains: Map<string, UserPublicKeyLink[]>
  login: LoginData
  followRequest: Uint8Array
  bats: Map<string, BatWithId[]>
}

export function loadFixtures(): Fixtures {
  const manifest = loadVector('account-alice/manifest.json')
  const chains = new Map<string, UserPublicKeyLink[]>()
  for (const [name, chain] of Object.entries(loadVector('account-alice/pki-chains.json').chains)) chains.set(name, decodeChain(hex((chain as { chainCbor: string }).chainCbor)))
  const bats = new Map<string, BatWithId[]>()
  for (const row of loadVector('account-alice/bats-and-linkcounts.json').bats as Array<{ username: string; idHex: string; batHex: string }>) {
    bats.set(row.username, [batWithIdFromCbor(new Map([['b', decodeCbor(hex(row.batHex))], ['i', decodeCbor(hex(row.idHex))]]))])
  }
  return {
    serverId: parseCid(manifest.server['serverId(pki-node-id)']),
    alice: parseCid(manifest.users.alice.identity),
    chains,
    login: loginDataOfRow('alice'),
    followRequest: hex(loadVector('account-alice/follow-requests.json').rows[0].followRequestHex),
    bats,
  }
}

export interface FakeState {
  calls: Array<[string, unknown[]]>
  blocks: Map<string, Uint8Array>
  pointers: Map<string, Uint8Array>
  quota: number
  mfaRequest?: Uint8Array
}

export function fakeServices(c: CryptoProvider, f: Fixtures): { services: AllServices; state: FakeState } {
  const state: FakeState = { calls: [], blocks: new Map(), pointers: new Map(), quota: Number.MAX_SAFE_INTEGER }
  const logins = new Map<string, LoginData>([[f.login.username, f.login]])
  const follows = new Map<string, Uint8Array[]>()
  const bats = new Map(f.bats)
  let tid = 0
  const call = (name: string, ...args: unknown[]): void => { state.calls.push([name, args]) }
  const pkey = (owner: PublicKeyHash, writer: PublicKeyHash): string => `${cidToString(owner)}/${cidToString(writer)}`

  const services: AllServices = {
    storage: {
      id: async () => f.serverId,
      ids: async () => [f.serverId, f.alice],
      startTransaction: async (owner) => { call('startTransaction', owner); return `tid-${++tid}` },
      closeTransaction: async (owner, t) => { call('closeTransaction', owner, t) },
      put: async (owner, writer, signatures, blocks, t, raw) => {
        call('put', owner, writer, signatures, blocks, t, raw)
        const used = [...state.blocks.values()].reduce((n, b) => n + b.length, 0) + blocks.reduce((n, b) => n + b.length, 0)
        if (used > state.quota) throw new QuotaExceededError(`Storage quota reached! \nUsed ${used} out of ${state.quota} bytes. Rejecting write of ${blocks.length} blocks.`)
        return blocks.map((b) => {
          const cid = blockCid(c, b, raw)
          state.blocks.set(cidToString(cid), b)
          return cid
        })
      },
      get: async (owner, cid, bat) => { call('get', owner, cid, bat); return state.blocks.get(cidToString(cid)) },
      getChampLookup: async (owner, root, caps: ChunkMirrorCap[]) => {
        call('getChampLookup', owner, root, caps)
        return [state.blocks.get(cidToString(root)) ?? new Uint8Array([0xf6]), ...caps.map((cap) => cap.mapKey)]
      },
      getSize: async (_owner, cid) => state.blocks.get(cidToString(cid))?.length,
      getSecretLink: async (owner, label): Promise<EncryptedCapability> => {
        call('getSecretLink', owner, label)
        return { payload: { nonce: new Uint8Array(24).fill(label % 256), cipherText: new Uint8Array(40).fill(7) }, hasUserPassword: false }
      },
    },
    pointers: {
      setPointer: async (owner, writer, signed) => {
        call('setPointer', owner, writer, signed)
        const current = state.pointers.get(pkey(owner, writer))
        if (current !== undefined && signed[0] !== current[0] + 1) throw new CasFailedError(pointerCasMessage(cidToString(f.alice), 3, undefined))
        state.pointers.set(pkey(owner, writer), signed)
        return true
      },
      setPointers: async (owner, updates: SignedPointerUpdate[]) => {
        call('setPointers', owner, updates)
        for (const u of updates) state.pointers.set(pkey(owner, u.writer), u.signed)
        return true
      },
      getPointer: async (owner, writer) => state.pointers.get(pkey(owner, writer)),
    },
    coreNode: {
      getChain: async (username) => f.chains.get(username) ?? [],
      signup: async (username: string, chain: UserPublicKeyLink, setup: OpLog, pow: ProofOfWork, token: string) => {
        call('signup', username, chain, setup, pow, token)
        return token === 'more-work' ? { difficulty: 11 } : undefined
      },
      updateChain: async (username, chain, pow, token) => { call('updateChain', username, chain, pow, token); return undefined },
      getUsername: async (key) => {
        for (const [name, chain] of f.chains) if (chain[chain.length - 1].owner.equals(key)) return name
        throw new IncorrectPasswordError('no such key')
      },
      getUsernames: async (prefix) => [...f.chains.keys()].filter((n) => n.startsWith(prefix)).sort(),
      getPublicKeyHash: async (username) => f.chains.get(username)?.at(-1)?.owner,
      getHomeServer: async (username) => chainHomeServer(f.chains.get(username) ?? []),
    },
    account: {
      setLoginData: async (login, auth, forceLocal) => { call('setLoginData', login, auth, forceLocal); logins.set(login.username, login); return true },
      getLoginData: async (username, reader, auth, mfa): Promise<UserStaticData> => {
        call('getLoginData', username, reader, auth, mfa)
        const login = logins.get(username)
        if (login === undefined || !Buffer.from(login.authorisedReader).equals(Buffer.from(reader))) throw new IncorrectPasswordError('Incorrect username or password')
        if (state.mfaRequest !== undefined && mfa === undefined) throw new MfaRequiredError(state.mfaRequest)
        return login.entryPoints
      },
    },
    social: {
      sendFollowRequest: async (target, req) => { follows.set(cidToString(target), [...(follows.get(cidToString(target)) ?? []), req]); return true },
      getFollowRequests: async (owner, signedTime) => { call('getFollowRequests', owner, signedTime); return encodeCbor(follows.get(cidToString(owner)) ?? []) },
      removeFollowRequest: async (owner, signed) => { call('removeFollowRequest', owner, signed); return true },
    },
    batCave: {
      getUserBats: async (username, auth) => { call('getUserBats', username, auth); return bats.get(username) ?? [] },
      addBat: async (username: string, id: BatId, bat: Bat, auth) => { call('addBat', username, id, bat, auth); return true },
    },
    spaceUsage: {
      getUsage: async (owner, signedTime, local) => { call('getUsage', owner, signedTime, local); return 123_456_789_012 },
      getQuota: async (owner, signedTime) => { call('getQuota', owner, signedTime); return state.quota === Number.MAX_SAFE_INTEGER ? 1 << 30 : state.quota },
    },
  }
  return { services, state }
}
