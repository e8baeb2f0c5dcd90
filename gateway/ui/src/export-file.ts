/** Saving a signed export as a .json file, and reading one back (shape checked before anything uses it). */
import type { ExportJson } from './api.js';
import { doc } from './browser.js';

const MAX_EXPORT_BYTES = 64 * 1024 * 1024;

export function saveExport(exported: ExportJson): void {
  const blob = new Blob([JSON.stringify(exported)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = doc().createElement('a');
  a.setAttribute('href', url);
  a.setAttribute('download', `${exported.composition_id}.export.json`);
  doc().body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file the user chose: an export as the page saves it, or refused with a reason. */
export async function readExport(file: Blob): Promise<ExportJson> {
  if (file.size > MAX_EXPORT_BYTES) throw new Error(`the file is larger than ${MAX_EXPORT_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(await file.text());
  } catch {
    throw new Error('the file is not JSON');
  }
  const files = (value as { files?: unknown })?.files;
  if (!files || typeof files !== 'object' || Array.isArray(files)) throw new Error('the file has no "files" object: not an export saved by this page');
  for (const [name, content] of Object.entries(files)) if (typeof content !== 'string') throw new Error(`files["${name}"] is not text`);
  if (typeof (files as Record<string, unknown>)['events.jsonl'] !== 'string') throw new Error('the export has no events.jsonl');
  const id = (value as { composition_id?: unknown }).composition_id;
  return { composition_id: typeof id === 'string' ? id : 'unknown', files: files as ExportJson['files'] };
}
