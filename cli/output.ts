/** How every `coord` subcommand reports: JSON on request, a non-zero exit when what it checks fails. */

export class UsageError extends Error {
  override name = 'UsageError';
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Parses durations like `3600`, `90s`, `30m`, `2h`, `-5m` into seconds. */
export function parseDuration(text: string): number {
  const m = /^(-?\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`not a duration: "${text}" (examples: 3600, 90s, 30m, 2h, -5m)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
