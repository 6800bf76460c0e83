// The web UI's social screens end to end in a real Chromium against a daemon on 127.0.0.1, two users
// in two browser contexts: alice sends bob a follow request, bob accepts and follows back, both see
// each other as friends and the same safety number (alice marks bob verified); alice shares a file
// with bob, who finds it under "Shared with me" after logging in from a fresh context and downloads
// it (same sha256); alice revokes it and bob no longer sees it; alice makes a secret link with an
// extra password (its QR code encodes the link) and a context with no account opens it and downloads
// the file; a folder's link, pasted on the login page, lists the folder; a revoked link no longer opens. The daemon redirects a
// secret link's path to the app. Then: alice shares a folder with write access and bob uploads into
// it from the drive; a file with a hostile name shared with the friends group shows as text; carol's
// request is rejected, then accepted, then carol is removed as a follower; a changed identity key
// shows the warning until alice trusts the new key; a writable folder link takes an upload from a
// context with no account; bob unfollows alice and no longer sees her items. Screenshots of the social screens go to
// test-results/web/.
import { readFile } from 'node:fs/promises'
import qrcode from 'qrcode-generator'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { socialOf } from '../../src/client/social/social.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { decodeTofuKeyStore, encodeTofuKeyStore, withChain } from '../../src/model/tofu-key-store.ts'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'
import { browserAvailable, launchBrowser, screenshot, signUpInPage } from './browser.ts'

const ALICE = 'webalice'
const BOB = 'webbob'
const PASSWORD = 'correct horse battery'
const FILE = pattern(300 * 1024, 11)
const LINK_PASSWORD = 'open sesame'
const CAROL = 'webcarol'
const HOSTILE = '<img src=x onerror=alert(1)>.txt'

/** The dark modules of a QR code of `text` as the page draws them (components/qr-code.tsx). */
function qrPathOf(text: string): string {
  const q = qrcode(0, 'M')
  q.addData(text, 'Byte')
  q.make()
  let d = ''
  for (let r = 0; r < q.getModuleCount(); r++) for (let c = 0; c < q.getModuleCount(); c++) if (q.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`
  return d
}

describe.runIf(browserAvailable())('web UI: follow requests, sharing, secret links and safety numbers in Chromium', () => {
  let d: TestDaemon
  let browser: Browser
  let aliceCtx: BrowserContext
  let bobCtx: BrowserContext
  let alice: Page
  let bob: Page
  let linkUrl = ''
  const cspViolations: string[] = []
  const dialogs: string[] = []
  const pageErrors: string[] = []

  async function newPage(context: BrowserContext, url = d.daemon.url + '/'): Promise<Page> {
    const p = await context.newPage()
    p.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
    })
    p.on('pageerror', (e) => pageErrors.push(e.message))
    p.on('dialog', (dlg) => {
      dialogs.push(dlg.message())
      void dlg.dismiss()
    })
    await p.goto(url)
    return p
  }

  async function signUp(p: Page, username: string): Promise<void> {
    await signUpInPage(p, username, PASSWORD)
  }

  async function logIn(p: Page, username: string): Promise<void> {
    await p.getByLabel('Username').fill(username)
    await p.getByLabel('Password').fill(PASSWORD)
    await p.getByRole('button', { name: 'Log in' }).click()
    await p.getByRole('navigation', { name: 'Breadcrumbs' }).waitFor({ timeout: 60_000 })
  }

  const nav = (p: Page, name: string) => p.getByRole('navigation', { name: 'Account' }).getByRole('button', { name, exact: true })
  const people = (p: Page, list: string) => p.getByRole('region', { name: list }).locator('[data-person]')
  const names = (p: Page, list: string) => people(p, list).evaluateAll((els) => els.map((e) => e.getAttribute('data-person') ?? ''))
  const row = (p: Page, name: string) => p.locator('.listing [data-name]').filter({ has: p.getByRole('button', { name: new RegExp(`^(Open folder|Download) ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) })

  async function openPeople(p: Page): Promise<void> {
    await nav(p, 'People').click()
    await p.getByRole('heading', { name: 'People' }).waitFor()
    await p.getByRole('region', { name: 'Friends' }).waitFor({ timeout: 60_000 })
  }

  async function safetyNumber(p: Page, friend: string): Promise<string> {
    await p.getByRole('button', { name: `Safety number with ${friend}` }).first().click()
    const dialog = p.getByRole('dialog', { name: `Safety number with ${friend}` })
    const digits = dialog.getByRole('list', { name: 'Safety number' })
    await digits.waitFor({ timeout: 60_000 })
    return (await digits.locator('li').allTextContents()).join(' ')
  }

  async function download(p: Page, button: ReturnType<Page['getByRole']>): Promise<Uint8Array> {
    const downloading = p.waitForEvent('download', { timeout: 60_000 })
    await button.click()
    return new Uint8Array(await readFile(await (await downloading).path()))
  }

  beforeAll(async () => {
    d = await startTestDaemon()
    browser = await launchBrowser()
    aliceCtx = await browser.newContext({ acceptDownloads: true })
    bobCtx = await browser.newContext({ acceptDownloads: true })
    alice = await newPage(aliceCtx)
    bob = await newPage(bobCtx)
    await Promise.all([signUp(alice, ALICE), signUp(bob, BOB)])
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await d?.close()
  })

  it('alice sends bob a follow request; bob accepts and follows back; both see a friend', async () => {
    await openPeople(alice)
    await alice.getByLabel('Username to follow').fill(BOB)
    await alice.getByRole('button', { name: 'Send follow request' }).click()
    await expect.poll(() => names(alice, 'Requests sent'), { timeout: 60_000 }).toEqual([BOB])
    await screenshot(alice, 'social-people-request-sent')

    await openPeople(bob)
    await expect.poll(() => names(bob, 'Follow requests')).toEqual([ALICE])
    await screenshot(bob, 'social-people-incoming-request')
    await bob.getByRole('button', { name: `Accept ${ALICE} and follow back` }).click()
    await expect.poll(() => names(bob, 'Follow requests'), { timeout: 60_000 }).toEqual([])
    await expect.poll(() => names(bob, 'Friends'), { timeout: 60_000 }).toEqual([ALICE])

    // alice's next look at her requests applies bob's answer
    await alice.getByRole('button', { name: 'Refresh' }).click()
    await expect.poll(() => names(alice, 'Friends'), { timeout: 60_000 }).toEqual([BOB])
    expect(await names(alice, 'Requests sent')).toEqual([])
    await screenshot(alice, 'social-people-friends')
  }, 120_000)

  it('shows both friends the same safety number; alice marks bob verified', async () => {
    const seenByAlice = await safetyNumber(alice, BOB)
    const seenByBob = await safetyNumber(bob, ALICE)
    expect(seenByAlice).toMatch(/^(\d{5} ){11}\d{5}$/)
    expect(seenByBob).toBe(seenByAlice)
    const dialog = alice.getByRole('dialog', { name: `Safety number with ${BOB}` })
    await dialog.getByRole('button', { name: 'Mark as verified' }).click()
    await expect.poll(() => dialog.getByRole('status').textContent(), { timeout: 60_000 }).toBe(`✓ You verified ${BOB}.`)
    await screenshot(alice, 'social-safety-number')
    await dialog.getByRole('button', { name: 'Close' }).click()
    await bob.getByRole('dialog').getByRole('button', { name: 'Close' }).click()
  }, 120_000)

  it('alice shares a file with bob, who sees and downloads it after logging in from a fresh context', async () => {
    await nav(alice, 'Drive').click()
    await alice.getByLabel('Files to upload').setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(FILE) })
    await row(alice, 'report.bin').waitFor({ timeout: 60_000 })
    await alice.getByRole('checkbox', { name: 'Select report.bin' }).check()
    await alice.getByRole('button', { name: 'Share…' }).click()
    const share = alice.getByRole('dialog', { name: 'Share report.bin' })
    await share.getByRole('checkbox', { name: `${BOB} (friend)` }).check()
    await share.getByRole('button', { name: 'Share', exact: true }).click()
    await share.locator('[data-grantee]').first().waitFor({ timeout: 60_000 })
    expect(await share.locator('[data-grantee]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-grantee')}: ${e.querySelector('.grantee-access')?.textContent}`))).toEqual([`${BOB}: can view`])
    await screenshot(alice, 'social-share-dialog')
    await share.getByRole('button', { name: 'Close' }).click()

    const fresh = await browser.newContext({ acceptDownloads: true })
    try {
      const p = await newPage(fresh)
      await logIn(p, BOB)
      await nav(p, 'Shared with me').click()
      const item = p.getByRole('region', { name: `Shared by ${ALICE}` }).locator('[data-name="report.bin"]')
      await item.waitFor({ timeout: 60_000 })
      expect(await item.locator('.path').textContent()).toBe(`/${ALICE}/report.bin`)
      await screenshot(p, 'social-shared-with-me')
      const got = await download(p, item.getByRole('button', { name: 'Download report.bin' }))
      expect(sha256Hex(got)).toBe(sha256Hex(FILE))
    } finally {
      await fresh.close()
    }
  }, 180_000)

  it('alice revokes bob, who no longer sees the file', async () => {
    await alice.getByRole('button', { name: 'Share…' }).click()
    const share = alice.getByRole('dialog', { name: 'Share report.bin' })
    await share.getByRole('button', { name: `Revoke read access of ${BOB}` }).click()
    await share.getByText('Not shared with anyone yet.').waitFor({ timeout: 60_000 })
    await share.getByRole('button', { name: 'Close' }).click()

    await nav(bob, 'Shared with me').click()
    await bob.getByText('Nothing is shared with you yet.').waitFor({ timeout: 60_000 })
    expect(await bob.locator('[data-name="report.bin"]').count()).toBe(0)
  }, 120_000)

  it('alice makes a secret link with a password; a context with no account opens it and downloads the file', async () => {
    await alice.getByRole('button', { name: 'Secret link…' }).click()
    const dialog = alice.getByRole('dialog', { name: 'Secret links to report.bin' })
    await dialog.getByLabel('Expires (optional)').fill('2099-01-31T12:00')
    await dialog.getByLabel('Maximum number of uses (optional)').fill('5')
    await dialog.getByLabel('Extra password (optional, not part of the link)').fill(LINK_PASSWORD)
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const urlInput = dialog.getByRole('textbox', { name: /^Secret link \d+$/ })
    await urlInput.waitFor({ timeout: 60_000 })
    linkUrl = await urlInput.inputValue()
    expect(linkUrl).toMatch(new RegExp(`^${d.daemon.url}/secret/z[1-9A-HJ-NP-Za-km-z]+/\\d+#[A-Za-z0-9]{12}$`))
    expect(linkUrl).not.toContain(LINK_PASSWORD.replace(' ', '%20'))
    expect(await dialog.locator('.link-notes').textContent()).toMatch(/^view only · expires \S.*2099.* · 5 uses · password$/)
    // the QR code (shown for the new link) is the link's
    const qr = dialog.getByRole('img', { name: /^QR code of secret link \d+$/ })
    expect(await qr.locator('path').getAttribute('d')).toBe(qrPathOf(linkUrl))
    await screenshot(alice, 'social-secret-link-dialog')
    await dialog.getByRole('button', { name: 'Close' }).click()

    // the daemon sends a secret link's path to the app; the fragment stays in the browser
    const path = new URL(linkUrl).pathname
    const redirect = await fetch(d.daemon.url + path, { redirect: 'manual' })
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, `../../?secret=${path.slice('/secret/'.length)}`])
    expect((await fetch(d.daemon.url + '/secret/not-a-key/1', { redirect: 'manual' })).status).toBe(404)

    const anonymous = await browser.newContext({ acceptDownloads: true })
    try {
      const p = await newPage(anonymous, linkUrl)
      const form = p.getByRole('form', { name: 'Link password' })
      await form.waitFor({ timeout: 60_000 })
      await form.getByLabel('Password of the link').fill(LINK_PASSWORD)
      await form.getByRole('button', { name: 'Open' }).click()
      const file = p.getByRole('region', { name: 'Shared file' })
      await file.waitFor({ timeout: 60_000 })
      expect(await file.getByRole('heading').textContent()).toBe('report.bin')
      await screenshot(p, 'social-secret-link-opened')
      const got = await download(p, file.getByRole('button', { name: 'Download report.bin' }))
      expect(sha256Hex(got)).toBe(sha256Hex(FILE))
      expect(await p.getByRole('navigation', { name: 'Account' }).count()).toBe(0)
    } finally {
      await anonymous.close()
    }
  }, 180_000)

  it('a link to a folder lists it; a revoked link no longer opens', async () => {
    await alice.getByRole('button', { name: 'New folder' }).click()
    await alice.getByRole('dialog', { name: 'New folder' }).getByLabel('Folder name').fill('album')
    await alice.getByRole('button', { name: 'Create' }).click()
    await alice.getByRole('button', { name: 'Open folder album' }).click()
    await alice.getByLabel('Files to upload').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from the album') })
    await row(alice, 'note.txt').waitFor({ timeout: 60_000 })
    await alice.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: ALICE }).click()
    await alice.getByRole('checkbox', { name: 'Select album' }).waitFor()
    await alice.getByRole('checkbox', { name: 'Select report.bin' }).uncheck()
    await alice.getByRole('checkbox', { name: 'Select album' }).check()
    await alice.getByRole('button', { name: 'Secret link…' }).click()
    const dialog = alice.getByRole('dialog', { name: 'Secret links to album' })
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const urlInput = dialog.getByRole('textbox', { name: /^Secret link \d+$/ })
    await urlInput.waitFor({ timeout: 60_000 })
    const folderUrl = await urlInput.inputValue()

    const anonymous = await browser.newContext({ acceptDownloads: true })
    try {
      // pasted into the login page's form
      const p = await newPage(anonymous)
      const paste = p.getByRole('form', { name: 'Open a secret link' })
      await paste.getByLabel('Secret link').fill(`${d.daemon.url}/not/a/link`)
      await paste.getByRole('button', { name: 'Open link' }).click()
      expect(await paste.getByRole('alert').textContent()).toContain('That is not a secret link')
      await paste.getByLabel('Secret link').fill(folderUrl)
      await paste.getByRole('button', { name: 'Open link' }).click()
      const folder = p.getByRole('region', { name: 'Shared folder' })
      await folder.locator('[data-name="note.txt"]').waitFor({ timeout: 60_000 })
      const got = await download(p, folder.getByRole('button', { name: 'Download note.txt' }))
      expect(new TextDecoder().decode(got)).toBe('hello from the album')

      await dialog.getByRole('button', { name: /^Revoke link \d+$/ }).click()
      await dialog.getByText('No secret links yet.').waitFor({ timeout: 60_000 })
      const again = await newPage(anonymous, folderUrl)
      await expect.poll(() => again.getByRole('alert').textContent(), { timeout: 60_000 }).toContain('No secret link present')
      await screenshot(again, 'social-secret-link-revoked')
    } finally {
      await anonymous.close()
    }
    await dialog.getByRole('button', { name: 'Close' }).click()
  }, 180_000)

  it('alice shares a folder with write access; bob uploads into it from the drive and alice sees the file', async () => {
    await alice.getByRole('checkbox', { name: 'Select album' }).check()
    await alice.getByRole('button', { name: 'Share…' }).click()
    const share = alice.getByRole('dialog', { name: 'Share album' })
    await share.getByRole('radio', { name: 'Can edit' }).check()
    expect(await share.getByRole('checkbox', { name: /group\)$/ }).count()).toBe(0) // write access goes to users by name
    await share.getByRole('checkbox', { name: `${BOB} (friend)` }).check()
    await share.getByRole('button', { name: 'Share', exact: true }).click()
    await share.locator(`[data-grantee="${BOB}"]`).waitFor({ timeout: 60_000 })
    expect(await share.locator(`[data-grantee="${BOB}"] .grantee-access`).textContent()).toBe('can edit')
    await share.getByRole('button', { name: 'Close' }).click()

    await bob.getByRole('button', { name: 'Refresh' }).click()
    await bob.getByRole('button', { name: 'Open folder album' }).click({ timeout: 60_000 })
    await expect.poll(() => bob.getByRole('navigation', { name: 'Breadcrumbs' }).textContent(), { timeout: 60_000 }).toBe(`${ALICE}album`)
    await row(bob, 'note.txt').waitFor({ timeout: 60_000 })
    await bob.getByLabel('Files to upload').setInputFiles({ name: 'from-bob.txt', mimeType: 'text/plain', buffer: Buffer.from('bob was here') })
    await row(bob, 'from-bob.txt').waitFor({ timeout: 60_000 })
    await screenshot(bob, 'social-write-shared-folder')
    // above the shared folder, the drive lists what is shared below (the hidden group folders are not items)
    await bob.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: ALICE }).click()
    await row(bob, 'album').waitFor({ timeout: 60_000 })
    expect(await bob.locator('.listing [data-name]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual(['album'])

    await alice.getByRole('button', { name: 'Open folder album' }).click()
    await row(alice, 'from-bob.txt').waitFor({ timeout: 60_000 })
    await alice.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: ALICE }).click()
    await row(alice, 'album').waitFor()
  }, 180_000)

  it('a file with a hostile name shared with the friends group shows as text', async () => {
    await alice.getByLabel('Files to upload').setInputFiles({ name: HOSTILE, mimeType: 'text/plain', buffer: Buffer.from('<script>alert(2)</script>') })
    await row(alice, HOSTILE).waitFor({ timeout: 60_000 })
    for (const name of ['album', 'report.bin']) await alice.getByRole('checkbox', { name: `Select ${name}` }).uncheck()
    await alice.getByRole('checkbox', { name: `Select ${HOSTILE}` }).check()
    await alice.getByRole('button', { name: 'Share…' }).click()
    const share = alice.getByRole('dialog', { name: `Share ${HOSTILE}` })
    await share.getByRole('checkbox', { name: 'All friends (friends group)' }).check()
    await share.getByRole('button', { name: 'Share', exact: true }).click()
    await share.locator('[data-grantee="friends group"]').waitFor({ timeout: 60_000 })
    await share.getByRole('button', { name: 'Close' }).click()

    await nav(bob, 'Shared with me').click()
    const item = bob.getByRole('region', { name: `Shared by ${ALICE}` }).locator('tr[data-name]').filter({ has: bob.getByRole('button', { name: `Download ${HOSTILE}` }) })
    await item.waitFor({ timeout: 60_000 })
    expect(await item.locator('.entry-name').textContent()).toBe(HOSTILE)
    expect(await bob.locator('main img').count()).toBe(0)
    expect(await bob.locator('[data-name]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')).sort())).toEqual([HOSTILE, 'album'].sort())
    await screenshot(bob, 'social-shared-with-me-folder-and-file')
  }, 120_000)

  it("alice rejects carol's request, then accepts a new one, then removes carol as a follower", async () => {
    const carol = await UserContext.signUp(d.net, CAROL, PASSWORD)
    try {
      const c = socialOf(carol)
      await c.sendFollowRequest(ALICE)
      await openPeople(alice)
      await expect.poll(() => names(alice, 'Follow requests'), { timeout: 60_000 }).toEqual([CAROL])
      await alice.getByRole('button', { name: `Reject ${CAROL}` }).click()
      await expect.poll(() => names(alice, 'Follow requests'), { timeout: 60_000 }).toEqual([])
      await c.followRequests()
      expect([await c.following(), await c.pendingOutgoing()]).toEqual([[], []])

      await c.sendFollowRequest(ALICE)
      await alice.getByRole('button', { name: 'Refresh' }).click()
      await expect.poll(() => names(alice, 'Follow requests'), { timeout: 60_000 }).toEqual([CAROL])
      await alice.getByRole('button', { name: `Accept ${CAROL}`, exact: true }).click()
      await expect.poll(() => names(alice, 'Followers'), { timeout: 60_000 }).toEqual([CAROL])
      expect(await names(alice, 'Friends')).toEqual([BOB])
      await c.followRequests()
      expect(await c.following()).toEqual([ALICE])
      await screenshot(alice, 'social-people-follower')

      await alice.getByRole('button', { name: `Remove follower ${CAROL}` }).click()
      const confirm = alice.getByRole('dialog', { name: `Remove follower ${CAROL}?` })
      await confirm.getByRole('button', { name: 'Remove follower' }).click()
      await expect.poll(() => names(alice, 'Followers'), { timeout: 60_000 }).toEqual([])
      expect(await names(alice, 'Friends')).toEqual([BOB])
    } finally {
      await carol.close()
    }
  }, 180_000)

  it("warns when a friend's identity key changed since first seen, until alice trusts the new key", async () => {
    // what alice's client would hold had it first met an impostor under bob's name: carol's chain
    const me = await UserContext.signIn(d.net, ALICE, PASSWORD)
    try {
      const store = decodeTofuKeyStore(await me.fs.readFileBytes(`/${ALICE}/.keystore`))
      const impostor = await d.net.coreNode.getChain(CAROL)
      await me.fs.writeFile(`/${ALICE}/.keystore`, encodeTofuKeyStore(withChain(store, BOB, impostor)), { hidden: true })
    } finally {
      await me.close()
    }
    await alice.getByRole('button', { name: `Safety number with ${BOB}` }).click()
    const dialog = alice.getByRole('dialog', { name: `Safety number with ${BOB}` })
    const warning = dialog.getByRole('alert').filter({ hasText: 'identity key has changed' })
    await warning.waitFor({ timeout: 60_000 })
    expect(await warning.textContent()).toContain('not signed by their previous key')
    await screenshot(alice, 'social-identity-key-changed')
    await warning.getByRole('button', { name: 'Trust the new key' }).click()
    // bob's real keys are the ones alice verified earlier
    await expect.poll(() => dialog.getByRole('status').textContent(), { timeout: 60_000 }).toBe(`✓ You verified ${BOB}.`)
    await dialog.getByRole('button', { name: 'Close' }).click()
  }, 120_000)

  it('a writable link to a folder lets a context with no account upload into it', async () => {
    await nav(alice, 'Drive').click()
    await alice.getByRole('checkbox', { name: 'Select album' }).check()
    await alice.getByRole('button', { name: 'Secret link…' }).click()
    const dialog = alice.getByRole('dialog', { name: 'Secret links to album' })
    await dialog.getByRole('checkbox', { name: 'Anyone with the link can edit' }).check()
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const urlInput = dialog.getByRole('textbox', { name: /^Secret link \d+$/ })
    await urlInput.waitFor({ timeout: 60_000 })
    expect(await dialog.locator('.link-notes').textContent()).toBe('can edit')
    const url = await urlInput.inputValue()
    await dialog.getByRole('button', { name: 'Close' }).click()

    const anonymous = await browser.newContext()
    try {
      const p = await newPage(anonymous, url)
      const folder = p.getByRole('region', { name: 'Shared folder' })
      await folder.locator('[data-name="from-bob.txt"]').waitFor({ timeout: 60_000 })
      await folder.getByLabel('Upload files into this folder').setInputFiles({ name: 'from-a-link.txt', mimeType: 'text/plain', buffer: Buffer.from('no account needed') })
      await folder.locator('[data-name="from-a-link.txt"]').waitFor({ timeout: 60_000 })
      await screenshot(p, 'social-writable-link')
    } finally {
      await anonymous.close()
    }
    await alice.getByRole('button', { name: 'Open folder album' }).click()
    await row(alice, 'from-a-link.txt').waitFor({ timeout: 60_000 })
    await alice.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: ALICE }).click()
  }, 120_000)

  it('bob unfollows alice: what she shares is no longer read', async () => {
    await openPeople(bob)
    await bob.getByRole('button', { name: `Unfollow ${ALICE}` }).click()
    await expect.poll(() => names(bob, 'Friends'), { timeout: 60_000 }).toEqual([])
    expect([await names(bob, 'Followers'), await names(bob, 'Unfollowed')]).toEqual([[ALICE], [ALICE]])
    await nav(bob, 'Shared with me').click()
    await bob.getByText('Nothing is shared with you yet.').waitFor({ timeout: 60_000 })
  }, 120_000)

  it('saw no Content-Security-Policy violation, page error or dialog', () => {
    expect(cspViolations).toEqual([])
    expect(pageErrors).toEqual([])
    expect(dialogs).toEqual([])
  })
})
