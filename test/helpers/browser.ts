/**
 * Browser tests: Debian's chromium driven by playwright-core (infra/browser/). `launchBrowser(t)` starts a
 * headless browser the test owns — closed after the test, and checked to leave no chromium process behind —
 * and `openPage` gives a page whose `step(page, name)` screenshots land in the test's output folder,
 * `.data/test-output/<test name>/NN-name.png` (git-ignored with the rest of .data/, replaced at every run).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CACHE_DIR, DATA_DIR, ensureDir } from '../../config/paths.js';
import { ChromiumUnavailableError, ensureChromium } from '../../infra/browser/chromium.js';
import { chromiumLaunchOptions } from '../../infra/browser/launch-options.js';
import { CHROMIUM_ENV, CHROMIUM_UNAVAILABLE_ENV } from '../../infra/browser/test-run.js';
import { waitFor } from './wait.js';

/** The folder for a test's screenshots and other outputs, emptied for this run. */
export function screenshotDir(testName: string): string {
  const slug = testName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'test';
  const dir = join(DATA_DIR, 'test-output', slug);
  rmSync(dir, { recursive: true, force: true });
  return ensureDir(dir);
}

/**
 * A headless chromium for this test. npm test ensured (installed if need be) the browser and passes its path
 * as COORD_CHROMIUM, or why there is none; a test file run on its own finds or installs it here.
 * After the test the browser is closed, every process it started must have exited (the crash handlers that
 * detach from it included), and its HOME is removed.
 */
export async function launchBrowser(t: TestContext): Promise<Browser> {
  const unavailable = process.env[CHROMIUM_UNAVAILABLE_ENV];
  if (unavailable) throw new ChromiumUnavailableError(unavailable);
  const { executablePath } = await ensureChromium({ executable: process.env[CHROMIUM_ENV], cacheDir: CACHE_DIR });
  const home = mkdtempSync(join(tmpdir(), 'coord-chromium-home-'));
  const browser = await chromium.launch(chromiumLaunchOptions(executablePath, home)).catch((err: unknown) => {
    rmSync(home, { recursive: true, force: true });
    throw err;
  });
  t.after(async () => {
    await browser.close();
    // close() returns once the main process exited; its helpers end on their own an instant later
    await waitFor(() => browserProcesses(home).length === 0, { timeoutMs: 10_000, what: `every process of the browser (HOME=${home}) to exit` });
    rmSync(home, { recursive: true, force: true });
  });
  if (browserProcesses(home).length === 0) throw new Error('no running process has the browser\'s HOME: the exit check below would prove nothing');
  return browser;
}

const screenshotsOf = new WeakMap<Page, { dir: string; taken: number }>();

/** A page in a fresh context of `browser`, whose steps are screenshotted into `screenshotDir(testName)`. */
export async function openPage(browser: Browser, testName: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 640 } });
  // tsx compiles tests with esbuild's keepNames, which wraps named inner functions in `__name(fn, "name")`;
  // a function given to page.evaluate() is sent as its source, so the page needs that helper too.
  await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn;' });
  const page = await context.newPage();
  screenshotsOf.set(page, { dir: screenshotDir(testName), taken: 0 });
  return page;
}

/** Screenshots `page` as the next step, `NN-name.png`; returns the file's path. */
export async function step(page: Page, name: string): Promise<string> {
  const shots = screenshotsOf.get(page);
  if (!shots) throw new TypeError('step(): open the page with openPage() so it has a screenshot folder');
  shots.taken += 1;
  const file = join(shots.dir, `${String(shots.taken).padStart(2, '0')}-${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The running processes (zombies are not: they have exited) whose environment has HOME=`home`. */
function browserProcesses(home: string): number[] {
  const mark = `HOME=${home}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // the state is the field after the command name, which is in parentheses and may hold spaces
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(mark)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked, or is another user's
    }
  }
  return pids;
}
