import type { Environment } from '../generated/manifests.ts';
import { loadManifests } from './load-manifests.ts';
import type { RepositoryReader } from '../core/repository-reader.ts';

export type FindEnvironmentResult = { ok: true; environment: Environment } | { ok: false; reason: 'UnknownEnvironment'; message: string };

/**
 * The Environment manifest of one name in a repository. Problems elsewhere in the manifests do
 * not stop it (an environment can be set up while other files are being fixed), but when the
 * environment is not found they are mentioned, since one of them may be why.
 */
export async function findEnvironment(reader: RepositoryReader, name: string): Promise<FindEnvironmentResult> {
  const loaded = await loadManifests(reader);
  const found = loaded.set.environments.find((e) => e.manifest.metadata.name === name);
  if (found) return { ok: true, environment: found.manifest };
  const known = loaded.set.environments.map((e) => e.manifest.metadata.name).sort();
  const errors = loaded.problems.filter((p) => p.severity === 'error').length;
  const hint = errors === 0 ? '' : `; the manifests have ${errors} ${errors === 1 ? 'error' : 'errors'} (run intctl validate)`;
  return {
    ok: false,
    reason: 'UnknownEnvironment',
    message: `environment ${name} is not defined in the repository (defined: ${known.join(', ') || 'none'})${hint}`,
  };
}
