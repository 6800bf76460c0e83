// FileSystem.setThumbnail against a real daemon over HTTP: a file's thumbnail goes into the
// FileProperties of its first chunk only (Peergos' updateProperties after an upload), survives a
// rename, can be cleared, and the file's bytes, size and other chunks are untouched; a thumbnail
// over 100 KiB, a folder and a missing file are refused with named errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotADirectoryError } from '../../src/client/dir-ops.ts'
import { NotFoundError } from '../../src/client/errors.ts'
import { chunkLocation } from '../../src/client/file-upload.ts'
import { CHUNK_SIZE } from '../../src/client/tree-reader.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

let env: TestDaemon
let user: UserContext

beforeAll(async () => {
  env = await startTestDaemon()
  user = await UserContext.signUp(env.net, 'thumbs', 'a long and unusual password')
}, 120_000)
afterAll(async () => {
  await user?.close()
  await env?.close()
})

async function propsOf(path: string) {
  const cap = await user.fs.capabilityOf(path)
  return { cap, props: (await user.reader.snapshot().stat(cap)).properties }
}

describe('FileSystem.setThumbnail', () => {
  it('stores the thumbnail on the first chunk only, keeps it through a rename, and clears it', async () => {
    const data = pattern(CHUNK_SIZE + 1000, 3)
    await user.fs.writeFile('/thumbs/photo.jpg', data, { mimeType: 'image/jpeg' })
    const thumbnail = { mimeType: 'image/webp', data: pattern(5000, 9) }
    await user.fs.setThumbnail('/thumbs/photo.jpg', thumbnail)

    const { cap, props } = await propsOf('/thumbs/photo.jpg')
    expect(props.thumbnail).toEqual(thumbnail)
    expect(props.size).toBe(data.length)
    expect(props.mimeType).toBe('image/jpeg')
    const loc = chunkLocation(env.net.crypto, { streamSecret: props.streamSecret!, mapKey: cap.mapKey, bat: cap.bat }, 1)
    const second = await user.reader.snapshot().readChunk({ ...cap, mapKey: loc.mapKey, bat: loc.bat }, undefined, false)
    expect(second?.view.properties.thumbnail).toBeUndefined()
    expect(sha256Hex(await user.fs.readFileBytes('/thumbs/photo.jpg'))).toBe(sha256Hex(data))

    await user.fs.move('/thumbs/photo.jpg', '/thumbs/renamed.jpg')
    expect((await propsOf('/thumbs/renamed.jpg')).props.thumbnail).toEqual(thumbnail)

    // another session (a fresh sign-in) reads it the same
    const again = await UserContext.signIn(env.net, 'thumbs', 'a long and unusual password')
    try {
      const c = await again.fs.capabilityOf('/thumbs/renamed.jpg')
      expect((await again.reader.snapshot().stat(c)).properties.thumbnail).toEqual(thumbnail)
    } finally {
      await again.close()
    }

    await user.fs.setThumbnail('/thumbs/renamed.jpg', undefined)
    expect((await propsOf('/thumbs/renamed.jpg')).props.thumbnail).toBeUndefined()
    expect(sha256Hex(await user.fs.readFileBytes('/thumbs/renamed.jpg'))).toBe(sha256Hex(data))
  })

  it('refuses a thumbnail over 100 KiB, a folder and a missing file', async () => {
    await user.fs.writeFile('/thumbs/small.png', pattern(100, 1), { mimeType: 'image/png' })
    await expect(user.fs.setThumbnail('/thumbs/small.png', { mimeType: 'image/png', data: new Uint8Array(100 * 1024 + 1) })).rejects.toBeInstanceOf(InvalidObjectError)
    expect((await propsOf('/thumbs/small.png')).props.thumbnail).toBeUndefined()
    await user.fs.mkdir('/thumbs/folder')
    await expect(user.fs.setThumbnail('/thumbs/folder', { mimeType: 'image/png', data: pattern(10) })).rejects.toBeInstanceOf(NotADirectoryError)
    await expect(user.fs.setThumbnail('/thumbs/nothing.png', { mimeType: 'image/png', data: pattern(10) })).rejects.toBeInstanceOf(NotFoundError)
  })
})
