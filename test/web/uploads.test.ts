// The drive's other ways in and around, in Chromium against a daemon: a folder chosen in the folder
// picker (its tree recreated), files dropped on the drive, cancelling a queued and a running
// upload, a download without a service worker, keyboard use of a dialog, and move and copy of a
// multi-selection into a folder.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'
import { browserAvailable, launchBrowser, screenshot, signUpInPage } from './browser.ts'

const USER = 'webbob'
const PASSWORD = 'bob the builder 42'

describe.runIf(browserAvailable())('web UI: folder uploads, drops, cancel, move and copy', () => {
  let d: TestDaemon
  let browser: Browser
  let page: Page
  let files: string

  const names = (): Promise<string[]> => page.locator('.listing [data-name]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''))
  const status = (name: string) => page.locator(`.uploads li[data-name="${name}"] .upload-status`)
  const openFolder = async (name: string): Promise<void> => {
    await page.getByRole('button', { name: `Open folder ${name}` }).click()
    await expect.poll(() => page.getByRole('navigation', { name: 'Breadcrumbs' }).locator('[aria-current="page"]').textContent()).toBe(name)
  }
  const home = async (): Promise<void> => {
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: USER }).click()
    await expect.poll(() => page.getByRole('navigation', { name: 'Breadcrumbs' }).locator('[aria-current="page"]').textContent()).toBe(USER)
  }

  beforeAll(async () => {
    files = await mkdtemp(join(tmpdir(), 'pts-web-files-'))
    d = await startTestDaemon()
    browser = await launchBrowser()
    page = await (await browser.newContext()).newPage()
    await page.goto(d.daemon.url + '/')
    await signUpInPage(page, USER, PASSWORD)
  }, 180_000)

  // A test that fails with a dialog open would leave its backdrop over the page for the next one.
  afterEach(async () => {
    for (let i = 0; i < 5 && (await page.getByRole('dialog').count()) > 0; i++) await page.keyboard.press('Escape')
  })

  afterAll(async () => {
    await browser?.close()
    await d?.close()
    await rm(files, { recursive: true, force: true })
  })

  it('uploads a folder chosen in the folder picker, subfolders included', async () => {
    const tree = join(files, 'album')
    await mkdir(join(tree, 'raw'), { recursive: true })
    await writeFile(join(tree, 'one.txt'), 'one')
    await writeFile(join(tree, 'raw', 'two.txt'), 'two two')
    await page.getByLabel('Folder to upload').setInputFiles(tree)
    await status('album/raw/two.txt').filter({ hasText: 'Done' }).waitFor({ timeout: 60_000 })
    await status('album/one.txt').filter({ hasText: 'Done' }).waitFor({ timeout: 60_000 })
    await expect.poll(names).toContain('album')
    await openFolder('album')
    await expect.poll(names).toEqual(['raw', 'one.txt'])
    await openFolder('raw')
    await expect.poll(names).toEqual(['two.txt'])
    await home()
  })

  it('uploads files dropped on the drive', async () => {
    await page.evaluate(() => {
      const dt = new DataTransfer()
      dt.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }))
      const target = document.querySelector('main.drive')!
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
    })
    await status('dropped.txt').filter({ hasText: 'Done' }).waitFor({ timeout: 60_000 })
    await expect.poll(names).toContain('dropped.txt')
  })

  it('cancels a queued upload and a running one; neither file appears', async () => {
    // two large uploads take both slots, so the third waits in the queue
    // (files on disk: the browser reads them itself, nothing crosses the DevTools protocol)
    const chosen = [['first.bin', pattern(24 * 1024 * 1024, 1)], ['second.bin', pattern(24 * 1024 * 1024, 2)], ['queued.txt', new TextEncoder().encode('never')]] as const
    for (const [name, bytes] of chosen) await writeFile(join(files, name), bytes)
    await page.getByLabel('Files to upload').setInputFiles(chosen.map(([name]) => join(files, name)))
    await page.getByRole('button', { name: 'Cancel upload of queued.txt' }).click()
    await expect.poll(() => status('queued.txt').textContent()).toMatch(/^Cancelled/)
    await status('second.bin').filter({ hasText: 'Uploading' }).waitFor()
    await page.getByRole('button', { name: 'Cancel upload of second.bin' }).click()
    await expect.poll(() => status('second.bin').textContent(), { timeout: 60_000 }).toMatch(/^Cancelled/)
    await screenshot(page, 'uploads-cancelled')
    await status('first.bin').filter({ hasText: 'Done' }).waitFor({ timeout: 120_000 })
    await page.getByRole('button', { name: 'Clear' }).click()
    await expect.poll(names).toContain('first.bin')
    const listed = await names()
    expect(listed).not.toContain('queued.txt')
    expect(listed).not.toContain('second.bin')
    // and a later upload under the cancelled name works
    await page.getByLabel('Files to upload').setInputFiles({ name: 'second.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('small now') })
    await status('second.bin').filter({ hasText: 'Done' }).waitFor({ timeout: 60_000 })
    await expect.poll(names).toContain('second.bin')
  }, 180_000)

  it('downloads without a service worker too (the stream saved from a Blob)', async () => {
    const ctx = await browser.newContext({ serviceWorkers: 'block', acceptDownloads: true })
    try {
      const p = await ctx.newPage()
      await p.goto(d.daemon.url + '/')
      await p.getByLabel('Username').fill(USER)
      await p.getByLabel('Password').fill(PASSWORD)
      await p.getByRole('button', { name: 'Log in' }).click()
      await p.getByRole('button', { name: 'Download first.bin' }).waitFor({ timeout: 60_000 })
      expect(await p.evaluate(() => navigator.serviceWorker?.controller ?? null)).toBeNull()
      const downloading = p.waitForEvent('download', { timeout: 120_000 })
      await p.getByRole('button', { name: 'Download first.bin' }).click()
      const dl = await downloading
      expect(dl.suggestedFilename()).toBe('first.bin')
      expect(sha256Hex(await readFile(await dl.path()))).toBe(sha256Hex(pattern(24 * 1024 * 1024, 1)))
    } finally {
      await ctx.close()
    }
  }, 180_000)

  it('works from the keyboard: a dialog takes the focus, keeps it and gives it back', async () => {
    await page.getByRole('button', { name: 'New folder' }).focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'New folder' })
    await dialog.waitFor()
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Folder name')
    // Tab cycles inside the dialog: name → Cancel → Create → name
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Folder name')
    await page.keyboard.type('typed')
    await page.keyboard.press('Enter')
    await expect.poll(names).toContain('typed')
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('New folder')
    // a folder opens with Enter on its name, and the breadcrumbs lead back
    await page.getByRole('button', { name: 'Open folder typed' }).focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByRole('navigation', { name: 'Breadcrumbs' }).locator('[aria-current="page"]').textContent()).toBe('typed')
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: USER }).focus()
    await page.keyboard.press('Enter')
    await expect.poll(names).toContain('typed')
  })

  it('moves and copies a multi-selection into a folder', async () => {
    await page.getByRole('button', { name: 'New folder' }).click()
    await page.getByLabel('Folder name').fill('archive')
    await page.getByRole('button', { name: 'Create' }).click()
    await expect.poll(names).toContain('archive')
    await page.getByRole('checkbox', { name: 'Select dropped.txt' }).check()
    await page.getByRole('checkbox', { name: 'Select second.bin' }).check()
    await page.getByRole('button', { name: 'Copy', exact: true }).click()
    await page.getByLabel('Destination folder').fill(`/${USER}/archive`)
    await page.getByRole('dialog').getByRole('button', { name: 'Copy' }).click()
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
    await page.getByRole('checkbox', { name: 'Select dropped.txt' }).check()
    await page.getByRole('button', { name: 'Move', exact: true }).click()
    await page.getByLabel('Destination folder').fill(`/${USER}/album`)
    await page.getByRole('dialog').getByRole('button', { name: 'Move' }).click()
    await expect.poll(names).not.toContain('dropped.txt')
    expect(await names()).toContain('second.bin')
    await openFolder('archive')
    await expect.poll(names).toEqual(['dropped.txt', 'second.bin'])
    await home()
    await openFolder('album')
    await expect.poll(names).toEqual(['raw', 'dropped.txt', 'one.txt'])
    await home()
    // a destination outside the home folder is refused before anything is sent
    await page.getByRole('checkbox', { name: 'Select second.bin' }).check()
    await page.getByRole('button', { name: 'Move', exact: true }).click()
    await page.getByLabel('Destination folder').fill('/someoneelse')
    await page.getByRole('dialog').getByRole('button', { name: 'Move' }).click()
    await expect.poll(() => page.getByRole('dialog').getByRole('alert').textContent()).toBe(`The destination must be inside /${USER}.`)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
  }, 120_000)
})
