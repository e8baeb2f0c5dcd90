/**
 * The browser for one `npm test` run: ensured (installed on a fresh machine) once, before any test file
 * starts, with one line in the log; the test processes learn the result from their environment, so no
 * test file probes or installs it again. A browser that cannot be had does not fail the run by itself —
 * the browser tests fail, with the reason, and a run that selects none of them is not held up.
 */
import { ChromiumUnavailableError, ensureChromium } from './chromium.js';

/** the chromium the browser tests launch (a user's own, or the one this run ensured) */
export const CHROMIUM_ENV = 'COORD_CHROMIUM';
/** why this run has no chromium; the browser tests fail with it instead of trying again */
export const CHROMIUM_UNAVAILABLE_ENV = 'COORD_CHROMIUM_UNAVAILABLE';

/** Ensures chromium, logs the outcome in one line, and returns the variables to give the test processes. */
export async function chromiumForTestRun(given: string | undefined, cacheDir: string): Promise<Record<string, string>> {
  try {
    const found = await ensureChromium({ executable: given, cacheDir });
    const how = found.installSeconds === undefined ? '' : `installed Debian's chromium in ${found.installSeconds.toFixed(1)}s: `;
    console.log(`browser: ${how}${found.version} (${found.executablePath})`);
    return { [CHROMIUM_ENV]: found.executablePath };
  } catch (err) {
    if (!(err instanceof ChromiumUnavailableError)) throw err;
    console.error(`browser: none — the browser tests will fail: ${err.message}`);
    return { [CHROMIUM_UNAVAILABLE_ENV]: err.message };
  }
}
