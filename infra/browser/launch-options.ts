/**
 * How the browser tests start Debian's chromium through playwright-core: headless, with the sandbox kept
 * unless the process is root. Chromium refuses to start as root with its sandbox on ("Running as root
 * without --no-sandbox is not supported"), and playwright's `chromiumSandbox` defaults to false (it adds
 * --no-sandbox itself), so the sandbox is asked for explicitly whenever it can work.
 */
import { join } from 'node:path';
import type { LaunchOptions } from 'playwright-core';

/**
 * Flags every run gets, whatever the machine:
 * - --disable-dev-shm-usage: containers often give /dev/shm 64 MB, where chromium's renderers crash; the
 *   Debian launcher adds the flag only when its own /dev/shm check works, which fails when findmnt
 *   reports more than one mount.
 * - --disable-gpu: there is no GPU on a CI machine; this skips the GPU process's probing and its errors
 *   (pages still render, in software).
 */
export const CHROMIUM_FLAGS: readonly string[] = ['--disable-dev-shm-usage', '--disable-gpu'];

/**
 * `home` becomes the browser's HOME: chromium writes its crash database (~/.config/chromium/Crash Reports,
 * kept by two chrome_crashpad_handler processes that detach from the browser) and GTK's dconf cache there
 * whatever profile playwright gives it; a folder of the caller's keeps the user's own home untouched and
 * marks every process the browser started, the detached ones included (their HOME).
 */
export function chromiumLaunchOptions(executablePath: string, home: string, uid: number | undefined = process.getuid?.()): LaunchOptions {
  return {
    executablePath,
    headless: true,
    chromiumSandbox: uid !== 0,
    args: [...CHROMIUM_FLAGS],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') },
  };
}
