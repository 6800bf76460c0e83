// The web UI end to end in a real Chromium against a daemon on 127.0.0.1: the served page and its
// security headers, signup with the password rules, a 20 MiB upload whose progress reaches 100 %,
// its streamed download (same sha256), folders created, renamed and deleted, sorting, grid view,
// a hostile file name rendered as text, login from a fresh context, a wrong password, a password
// change and logout. Screenshots of the main screens go to test-results/web/.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'
import { browserAvailable, launchBrowser, screenshot } from './browser.ts'

const USER = 'webalice'
const PASSWORD = 'correct horse battery'
const NEW_PASSWORD = 'staple horse correct'
const BIG = 20 * 1024 * 1024
const HOSTILE = '<img src=x onerror=alert(1)>'

describe.runIf(browserAvailable())('web UI: accounts and drive in Chromium', () => {
  let d: TestDaemon
  let browser: Browser
  let ctx: BrowserContext
  let page: Page
  let filesDir: string
  const cspViolations: string[] = []
  const dialogs: string[] = []

  async function newPage(context: BrowserContext): Promise<Page> {
    const p = await context.newPage()
    p.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
    })
    p.on('dialog', (dlg) => {
      dialogs.push(dlg.message())
      void dlg.dismiss()
    })
    await p.goto(d.daemon.url + '/')
    return p
  }

  async function login(p: Page, username: string, password: string): Promise<void> {
    await p.getByLabel('Username').fill(username)
    await p.getByLabel('Password').fill(password)
    await p.getByRole('button', { name: 'Log in' }).click()
  }

  const row = (p: Page, name: string) => p.locator('.listing [data-name]').filter({ has: p.getByRole('button', { name: new RegExp(`^(Open folder|Download) ${escapeRe(name)}$`) }) })

  beforeAll(async () => {
    filesDir = await mkdtemp(join(tmpdir(), 'pts-web-drive-'))
    d = await startTestDaemon()
    browser = await launchBrowser()
    ctx = await browser.newContext({ acceptDownloads: true })
    page = await newPage(ctx)
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await d?.close()
    await rm(filesDir, { recursive: true, force: true })
  })

  it('serves the page with a strict CSP, nosniff, no referrer and no inline scripts', async () => {
    const res = await fetch(d.daemon.url + '/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = res.headers.get('content-security-policy') ?? ''
    for (const directive of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]) {
      expect(csp).toContain(directive)
    }
    expect(csp).not.toContain('unsafe-inline')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    const html = await res.text()
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
    expect(scripts.length).toBeGreaterThan(0)
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc=/)
      expect(body.trim()).toBe('')
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i)
    // the scripts it names are served as JavaScript
    const src = /<script[^>]*src="\.\/([^"]+)"/.exec(html)![1]
    const js = await fetch(`${d.daemon.url}/${src}`)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect((await fetch(d.daemon.url + '/sw.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  })

  it('signs up with the password rules shown', async () => {
    await page.getByRole('button', { name: 'Create an account' }).click()
    await page.getByLabel('Username').fill(USER)
    await page.getByLabel('Password', { exact: true }).fill('short')
    await page.getByLabel('Repeat password').fill('short')
    const rules = page.getByRole('list', { name: 'Password rules' })
    await expect.poll(() => rules.locator('li.todo').count()).toBeGreaterThan(0)
    await page.getByRole('button', { name: 'Sign up' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('at least 8 characters')
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByLabel('Repeat password').fill(PASSWORD)
    await expect.poll(() => rules.locator('li.todo').count()).toBe(0)
    await screenshot(page, 'signup')
    await page.getByRole('button', { name: 'Sign up' }).click()
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).waitFor()
    expect(await page.getByRole('navigation', { name: 'Breadcrumbs' }).textContent()).toBe(USER)
    await screenshot(page, 'drive-empty')
  })

  it('uploads a 20 MiB file with per-file and overall progress reaching 100 %', async () => {
    const data = pattern(BIG, 7)
    // a file on disk: the browser reads it itself (a buffer would cross the DevTools protocol as base64)
    const file = join(filesDir, 'big.bin')
    await writeFile(file, data)
    await page.getByLabel('Files to upload').setInputFiles(file)
    const bar = page.getByRole('progressbar', { name: 'Upload progress of big.bin' })
    await bar.waitFor()
    await screenshot(page, 'upload-progress')
    await expect.poll(() => bar.getAttribute('value'), { timeout: 120_000 }).toBe('100')
    const item = page.locator('.uploads li[data-name="big.bin"]')
    await expect.poll(() => item.locator('.upload-status').textContent()).toBe('Done 100 %')
    expect(await page.getByRole('progressbar', { name: 'Overall upload progress' }).getAttribute('value')).toBe('100')
    await row(page, 'big.bin').waitFor()
    expect(await row(page, 'big.bin').locator('.size').textContent()).toBe('20 MiB')
    await screenshot(page, 'drive-uploaded')
  }, 180_000)

  it('downloads the file streamed to disk with the same sha256', async () => {
    const downloading = page.waitForEvent('download', { timeout: 120_000 })
    await page.getByRole('button', { name: 'Download big.bin' }).click()
    const dl = await downloading
    expect(dl.suggestedFilename()).toBe('big.bin')
    const path = await dl.path()
    expect(sha256Hex(await readFile(path))).toBe(sha256Hex(pattern(BIG, 7)))
  }, 180_000)

  it('creates, renames and deletes a folder', async () => {
    await page.getByRole('button', { name: 'New folder' }).click()
    await page.getByRole('dialog', { name: 'New folder' }).getByLabel('Folder name').fill('photos')
    await screenshot(page, 'dialog-new-folder')
    await page.getByRole('button', { name: 'Create' }).click()
    await row(page, 'photos').waitFor()

    await page.getByRole('checkbox', { name: 'Select photos' }).check()
    await page.getByRole('button', { name: 'Rename' }).click()
    const rename = page.getByRole('dialog', { name: 'Rename photos' })
    await rename.getByLabel('New name').fill('holiday photos')
    await rename.getByRole('button', { name: 'Rename' }).click()
    await row(page, 'holiday photos').waitFor()
    expect(await row(page, 'photos').count()).toBe(0)

    // a name already taken is refused with a readable error
    await page.getByRole('button', { name: 'New folder' }).click()
    await page.getByRole('dialog', { name: 'New folder' }).getByLabel('Folder name').fill('holiday photos')
    await page.getByRole('button', { name: 'Create' }).click()
    await expect.poll(() => page.getByRole('dialog').getByRole('alert').textContent()).toContain('already exists')
    await page.getByRole('button', { name: 'Cancel' }).click()

    // into the folder and back by the breadcrumbs
    await page.getByRole('button', { name: 'Open folder holiday photos' }).click()
    await expect.poll(() => page.getByRole('navigation', { name: 'Breadcrumbs' }).textContent()).toBe(`${USER}holiday photos`)
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: USER }).click()
    await row(page, 'holiday photos').waitFor()

    await page.getByRole('checkbox', { name: 'Select holiday photos' }).check()
    await page.getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete holiday photos?' })
    await screenshot(page, 'dialog-delete')
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => row(page, 'holiday photos').count()).toBe(0)
    expect(await d.net.coreNode.getChain(USER)).toHaveLength(1)
  }, 120_000)

  it('renders a hostile file name as text and runs nothing', async () => {
    await page.getByLabel('Files to upload').setInputFiles([
      { name: HOSTILE, mimeType: 'text/html', buffer: Buffer.from('<script>alert(2)</script>') },
      { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
    ])
    await row(page, HOSTILE).waitFor({ timeout: 60_000 })
    await row(page, 'a.txt').waitFor({ timeout: 60_000 })
    expect(await row(page, HOSTILE).locator('.entry-name').textContent()).toBe(HOSTILE)
    expect(await page.locator('.listing img, .uploads img').count()).toBe(0)
    // sorting by size puts the 5-byte file first among files, descending puts big.bin first
    await page.getByRole('button', { name: 'Sort by Size' }).click()
    const names = async (): Promise<string[]> => page.locator('.listing [data-name]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''))
    expect(await names()).toEqual(['a.txt', HOSTILE, 'big.bin'])
    await page.getByRole('button', { name: 'Sort by Size' }).click()
    expect(await names()).toEqual(['big.bin', HOSTILE, 'a.txt'])
    await page.getByRole('button', { name: 'Grid' }).click()
    expect(await page.locator('.file-grid .card').count()).toBe(3)
    expect(await page.locator('.file-grid img').count()).toBe(0)
    await screenshot(page, 'drive-grid')
    await page.getByRole('button', { name: 'List' }).click()
    expect(dialogs).toEqual([])
  }, 120_000)

  it('logs an existing user in from a fresh context, with a progress state while keys are derived', async () => {
    const fresh = await browser.newContext()
    try {
      const p = await newPage(fresh)
      await screenshot(p, 'login')
      // records whether the progress state was ever shown (however short the key derivation)
      await p.evaluate(() => {
        const w = window as unknown as { sawProgress: boolean }
        w.sawProgress = false
        new MutationObserver(() => {
          const s = document.querySelector('[role="status"]')
          if (s?.textContent?.includes('Deriving your keys') === true && s.querySelector('progress') !== null) w.sawProgress = true
        }).observe(document.body, { childList: true, subtree: true })
      })
      await login(p, USER, PASSWORD)
      await row(p, 'big.bin').waitFor({ timeout: 60_000 })
      expect(await p.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true)
      expect(await row(p, HOSTILE).locator('.entry-name').textContent()).toBe(HOSTILE)
    } finally {
      await fresh.close()
    }
  })

  it('shows a readable error for a wrong password', async () => {
    const fresh = await browser.newContext()
    try {
      const p = await newPage(fresh)
      await login(p, USER, 'not the password')
      await expect.poll(() => p.getByRole('alert').textContent(), { timeout: 60_000 }).toBe('Incorrect username or password.')
      await screenshot(p, 'login-wrong-password')
      await login(p, 'nosuchuser', 'whatever whatever')
      await expect.poll(() => p.getByRole('alert').textContent(), { timeout: 60_000 }).toBe('Incorrect username or password.')
    } finally {
      await fresh.close()
    }
  })

  it('changes the password, logs out, and logs in with the new one only', async () => {
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByLabel('Current password').fill(PASSWORD)
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
    await page.getByLabel('Repeat new password').fill(NEW_PASSWORD)
    await screenshot(page, 'change-password')
    await page.locator('form').getByRole('button', { name: 'Change password' }).click()
    await page.getByRole('heading', { name: 'Password changed' }).waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('heading', { name: 'Log in' }).waitFor()
    await login(page, USER, PASSWORD)
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 60_000 }).toBe('Incorrect username or password.')
    await login(page, USER, NEW_PASSWORD)
    await row(page, 'big.bin').waitFor({ timeout: 60_000 })
  }, 120_000)

  it('saw no Content-Security-Policy violation and no dialog', () => {
    expect(cspViolations).toEqual([])
    expect(dialogs).toEqual([])
  })
})

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
