/**
 * The shared runtime dependencies installed in every environment. Every generated artifact
 * declares the semver range of each one it needs; moving a pin out of that range republishes it.
 */
import type { DependencyPins } from '../generated/manifests.ts';

export const DEPENDENCY_NAMES = ['integration-utils', 'common-shared-services', 'secret-manager', 'integration-manager', 'sharepoint-utils'] as const;
export type DependencyName = (typeof DEPENDENCY_NAMES)[number];

/** The versions assumed where an environment pins nothing. */
export const DEFAULT_DEPENDENCIES: Readonly<Required<DependencyPins>> = {
  'integration-utils': '2.4.0',
  'common-shared-services': '1.8.2',
  'secret-manager': '1.3.0',
  'integration-manager': '3.1.0',
  'sharepoint-utils': '1.2.1',
};
