/**
 * The timeline page's assets, built once per process when the gateway starts: the TypeScript in
 * gateway/ui/src bundled by esbuild into one ES module (minified, kept in memory, never written to disk), the
 * HTML shell and the stylesheet read as they are. Each asset carries a strong ETag (SHA-256 of its bytes),
 * so a browser revalidates cheaply and never runs a stale script after an upgrade.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from '../../config/paths.js';

export interface UiAsset {
  body: Buffer;
  contentType: string;
  /** a strong validator: `"sha256-<base64url>"` */
  etag: string;
}

/** Asset name (as served under /ui/) → the asset. `index.html` is also what `/ui/` answers. */
export type UiAssets = ReadonlyMap<string, UiAsset>;

export const UI_DIR = join(ROOT, 'gateway', 'ui');
export const UI_ENTRY = join(UI_DIR, 'src', 'main.ts');

function asset(body: Buffer, contentType: string): UiAsset {
  return { body, contentType, etag: `"sha256-${createHash('sha256').update(body).digest('base64url')}"` };
}

async function bundleScript(): Promise<Buffer> {
  const result = await build({
    entryPoints: [UI_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'chrome120',
    minify: true,
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const [out] = result.outputFiles;
  if (!out) throw new Error('esbuild produced no output for the timeline page');
  return Buffer.from(out.contents);
}

let built: Promise<UiAssets> | undefined;

/** The page's assets; bundled on first call, then the same promise for the life of the process. */
export function uiAssets(): Promise<UiAssets> {
  built ??= bundleScript().then(
    (script) =>
      new Map([
        ['index.html', asset(readFileSync(join(UI_DIR, 'index.html')), 'text/html; charset=utf-8')],
        ['app.css', asset(readFileSync(join(UI_DIR, 'app.css')), 'text/css; charset=utf-8')],
        ['app.js', asset(script, 'text/javascript; charset=utf-8')],
      ]),
  );
  return built;
}
