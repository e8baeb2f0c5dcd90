/** JSON Lines in and out: one event per line; line numbers (0-based) are the indexes verification reports. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { StreamEntry } from './verify.js';

export function parseJsonl(text: string): StreamEntry[] {
  const entries: StreamEntry[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return; // blank lines (and the final newline) are not events
    try {
      entries.push({ index, value: JSON.parse(line) as unknown });
    } catch (err) {
      entries.push({ index, parseError: (err as Error).message });
    }
  });
  return entries;
}

export function readJsonl(file: string): StreamEntry[] {
  return parseJsonl(readFileSync(file, 'utf8'));
}

export function toJsonl(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join('\n') + (values.length ? '\n' : '');
}

export function writeJsonl(file: string, values: readonly unknown[]): void {
  writeFileSync(file, toJsonl(values));
}
