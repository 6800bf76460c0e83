// The real browser for the web UI's end-to-end tests: the system Chromium ($CHROMIUM_PATH, else
// /usr/bin/chromium) driven by playwright-core, headless, with the flags of a quiet CI browser. When
// no Chromium is installed the web tests are skipped with a message, except under CI=true, where a
// missing browser fails them (.ci/run installs Debian's chromium). The bundle is built on demand.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { ensureWebBundle, PACKAGE_ROOT } from '../../src/server/web-bundle.ts'

export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage']

export const SCREENSHOTS = join(PACKAGE_ROOT, 'test-results', 'web')

export function chromiumPath(): string | undefined {
  const p = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
  return existsSync(p) ? p : undefined
}

/** Whether the web tests run here; throws under CI when Chromium is missing (a skipped proof is a defect). */
export function browserAvailable(): boolean {
  if (chromiumPath() !== undefined) return true
  const message = 'Chromium not found (set CHROMIUM_PATH or apt-get install chromium): the web UI tests are skipped'
  if (process.env.CI === 'true') throw new Error(`${message}; under CI it is required`)
  console.warn(message)
  return false
}

export async function launchBrowser(): Promise<Browser> {
  await ensureWebBundle()
  return chromium.launch({ executablePath: chromiumPath()!, headless: true, args: CHROMIUM_FLAGS })
}

/** Signs up through the page's signup form (from the login screen) and waits for the drive. */
export async function signUpInPage(page: Page, username: string, password: string): Promise<void> {
  await page.getByRole('button', { name: 'Create an account' }).click()
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByLabel('Repeat password').fill(password)
  await page.getByRole('button', { name: 'Sign up' }).click()
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).waitFor({ timeout: 60_000 })
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}
