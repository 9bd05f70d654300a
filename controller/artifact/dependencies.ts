/**
 * The shared runtime dependencies an artifact needs, as semver ranges of the versions pinned in
 * the environment it is generated for. A pin that moves to a new major gives a new range, so a
 * new content hash, so the plan republishes the integration in the same apply.
 */
import { DEFAULT_DEPENDENCIES, DEPENDENCY_NAMES, type DependencyName } from '../core/dependencies.ts';
import type { AuthType, DependencyPins } from '../generated/manifests.ts';

/** Auth types whose connections carry secret values the secret manager must open. */
const AUTH_WITHOUT_SECRETS: readonly AuthType[] = ['none'];

export interface RequirementsInput {
  /** The dependencies the generated code always uses (the generator's `runtime`). */
  runtime: readonly DependencyName[];
  /** The auth type of the bound connection; secret-manager is needed for any but `none`. */
  authType: AuthType | undefined;
  /** The environment's pins; missing ones fall back to DEFAULT_DEPENDENCIES. */
  pins: DependencyPins | undefined;
}

/**
 * The caret range of each dependency the artifact uses, in the major pinned by the environment
 * (`^3.0.0` for a pin of 3.2.1; `^0.4.0` for 0.4.7, as caret ranges treat 0.x minors as majors).
 * Keys come out in DEPENDENCY_NAMES order.
 */
export function computeRequirements(input: RequirementsInput): Record<string, string> {
  const used = new Set<DependencyName>(input.runtime);
  if (input.authType !== undefined && !AUTH_WITHOUT_SECRETS.includes(input.authType)) used.add('secret-manager');
  const out: Record<string, string> = {};
  for (const dependency of DEPENDENCY_NAMES) {
    if (!used.has(dependency)) continue;
    const pinned = input.pins?.[dependency] ?? DEFAULT_DEPENDENCIES[dependency];
    out[dependency] = caretRange(pinned);
  }
  return out;
}

/** The caret range of the release line a version belongs to. */
export function caretRange(version: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) throw new TypeError(`not a semantic version: ${JSON.stringify(version)}`);
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major > 0) return `^${major}.0.0`;
  if (minor > 0) return `^0.${minor}.0`;
  return `^0.0.${Number(match[3])}`;
}
