// The web UI loaded from another node's p2p proxy path: daemon A relays GET /p2p/<B>/http/... (the
// page, its scripts, the service worker) to daemon B, and the page's API calls go to B through the
// same prefix. A user signs up, uploads and downloads in Chromium; the account lives on B only.
import { readFile } from 'node:fs/promises'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'
import { browserAvailable, launchBrowser, screenshot, signUpInPage } from './browser.ts'

describe.runIf(browserAvailable())('web UI served through another node\'s /p2p/<peer-id>/http/ path', () => {
  let a: TestDaemon
  let b: TestDaemon
  let browser: Browser

  beforeAll(async () => {
    b = await startTestDaemon()
    a = await startTestDaemon(['--bootstrap', b.daemon.p2p.node!.multiaddrs()[0].toString()])
    await a.daemon.p2p.node!.ready()
    browser = await launchBrowser()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await a?.close()
    await b?.close()
  })

  it('relays the page with its headers, but never a GET of the API', async () => {
    const base = `${a.daemon.url}/p2p/${b.daemon.identity.peerIdString}/http/`
    const page = await fetch(base)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'")
    expect(await page.text()).toContain('<div id="app">')
    expect((await fetch(base + 'sw.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect((await fetch(base + 'api/v0/id')).status).toBe(403)
    expect((await fetch(base + 'peergos/v0/core/getChain?username=x')).status).toBe(403)
  })

  it('signs up, uploads and downloads on B through A', async () => {
    const ctx = await browser.newContext({ acceptDownloads: true })
    try {
      const page = await ctx.newPage()
      const dialogs: string[] = []
      page.on('dialog', (d) => {
        dialogs.push(d.message())
        void d.dismiss()
      })
      await page.goto(`${a.daemon.url}/p2p/${b.daemon.identity.peerIdString}/http/`)
      await signUpInPage(page, 'viaproxy', 'proxy password 123')

      const data = pattern(3 * 1024 * 1024 + 17, 5)
      await page.getByLabel('Files to upload').setInputFiles({ name: 'via-proxy.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(data) })
      await page.locator('.uploads li[data-name="via-proxy.bin"] .upload-status').filter({ hasText: 'Done 100 %' }).waitFor({ timeout: 120_000 })
      await page.getByRole('button', { name: 'Download via-proxy.bin' }).waitFor()
      await screenshot(page, 'drive-via-p2p-proxy')

      const downloading = page.waitForEvent('download', { timeout: 60_000 })
      await page.getByRole('button', { name: 'Download via-proxy.bin' }).click()
      expect(sha256Hex(await readFile(await (await downloading).path()))).toBe(sha256Hex(data))
      expect(dialogs).toEqual([])

      // the account is B's: B's PKI knows it, A's own PKI does not
      expect(await b.net.coreNode.getChain('viaproxy')).toHaveLength(1)
      expect(await a.net.coreNode.getChain('viaproxy')).toEqual([])
    } finally {
      await ctx.close()
    }
  }, 180_000)
})
