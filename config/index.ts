/**
 * The configuration of this process: every setting of config/settings.ts parsed once, on first use
 * (entry points call `configOrExit()` first thing, so a bad value stops the process before it does
 * anything, naming the variable and what was expected). Settings never change while a process runs.
 */
import type { z } from 'zod';
import { SETTINGS, type SettingName } from './settings.js';

export type Config = { readonly [K in SettingName]: z.output<(typeof SETTINGS)[K]['schema']> } & {
  /** the settings given in the environment (an address given there is an external instance, not ours to start) */
  readonly given: ReadonlySet<SettingName>;
};

export class ConfigError extends Error {
  constructor(readonly problems: { name: SettingName; expected: string; got: string }[]) {
    super(`bad configuration:\n${problems.map((p) => `  ${p.name}: expected ${p.expected}, got ${JSON.stringify(p.got)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses every setting from `env`; throws a ConfigError listing every bad value. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const values: Record<string, unknown> = {};
  const given = new Set<SettingName>();
  const problems: ConstructorParameters<typeof ConfigError>[0] = [];
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const raw = env[name]?.trim() || undefined;
    if (raw !== undefined) given.add(name);
    const parsed = (spec.schema as z.ZodType).safeParse(raw ?? ('fallback' in spec ? spec.fallback : undefined));
    if (parsed.success) values[name] = parsed.data;
    else problems.push({ name, expected: spec.expected, got: raw ?? '' });
  }
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({ ...values, given }) as unknown as Config;
}

let current: Config | undefined;

/** This process's configuration (read from the environment once). */
export function config(): Config {
  current ??= loadConfig(process.env);
  return current;
}

/** For entry points: the configuration, or exit 2 with what is wrong. */
export function configOrExit(): Config {
  try {
    return config();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}
