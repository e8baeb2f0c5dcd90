/**
 * Reads a Prometheus text endpoint (the worker's, see COORD_METRICS_ADDRESS) and answers the questions the
 * benchmarks ask of histograms: how many observations and how much time, between two scrapes.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type Scrape = Sample[];

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Scrape {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

export async function scrape(address: string): Promise<Scrape> {
  const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`metrics at ${address} → ${res.status}`);
  return parsePrometheus(await res.text());
}

const matches = (s: Sample, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);

/** The sum of every sample named `name` whose labels include `labels`. */
export function total(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return scrape.filter((s) => s.name === name && matches(s, labels)).reduce((n, s) => n + s.value, 0);
}

export interface HistogramDelta {
  count: number;
  sum: number;
  mean: number;
}

/** What a histogram observed between two scrapes (matched by label subset, summed over the rest). */
export function histogramDelta(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): HistogramDelta {
  const count = total(after, `${name}_count`, labels) - total(before, `${name}_count`, labels);
  const sum = total(after, `${name}_sum`, labels) - total(before, `${name}_sum`, labels);
  return { count, sum, mean: count > 0 ? sum / count : Number.NaN };
}

/** The distinct values of one label among the samples named `name`. */
export function labelValues(scrape: Scrape, name: string, label: string): string[] {
  return [...new Set(scrape.filter((s) => s.name === name && s.labels[label] !== undefined).map((s) => s.labels[label]!))].sort();
}
