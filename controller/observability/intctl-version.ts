import { readFileSync } from 'node:fs';
import { packagePath } from '../config/package-root.ts';

/** The version of intctl that runs, from its package.json: what intctl_build_info reports. */
export function intctlVersion(): string {
  const manifest = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
