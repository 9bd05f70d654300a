/**
 * Configuration, read in one place. Everything else receives a Config; nothing else touches
 * process.env.
 */
export interface Config {
  /** Where embedded environments keep their SQLite files, and the controller its own state. */
  stateDir: string;
  /** Who takes apply leases: a stable name per controller process. */
  holder: string;
  /** How long an apply lease lasts without renewal. */
  leaseTtlMs: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  return {
    stateDir: env.INTCTL_STATE_DIR ?? `${cwd}/.intctl`,
    holder: env.INTCTL_HOLDER ?? `${env.HOSTNAME ?? 'local'}-${process.pid}`,
    leaseTtlMs: positiveInteger(env.INTCTL_LEASE_TTL_MS, 30_000, 'INTCTL_LEASE_TTL_MS'),
  };
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(value)}`);
  return n;
}
