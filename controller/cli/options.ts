import { UsageError } from './io.ts';

export type OutputFormat = 'text' | 'json';

export function parseOutput(value: string): OutputFormat {
  if (value === 'text' || value === 'json') return value;
  throw new UsageError(`--output must be text or json, not ${JSON.stringify(value)}`);
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1000, kib: 1024, m: 1000 ** 2, mb: 1000 ** 2, mib: 1024 ** 2 };

/** A size in bytes, with an optional unit: `1048576`, `512KiB`, `1MiB`. */
export function parseSize(value: string, option: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) <= 0) {
    throw new UsageError(`${option} must be a positive size such as 1048576, 512KiB or 1MiB, not ${JSON.stringify(value)}`);
  }
  return Number(match[1]) * unit;
}
