import type { ManifestSet } from '../core/manifest.ts';
import { sortProblems, type Problem } from '../core/problem.ts';
import { validateSelections } from '../validate/validate-selections.ts';
import { loadManifests, type LoadResult } from './load-manifests.ts';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from './parse-yaml-file.ts';
import type { RepositoryReader } from '../core/repository-reader.ts';

/**
 * Everything `intctl validate` checks: the manifests, their references, and each integration's
 * selection against its specification (only once the manifests themselves are valid).
 */
export async function loadAndValidate(
  reader: RepositoryReader,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
): Promise<{ set: ManifestSet; problems: Problem[]; errors: Problem[]; stats: LoadResult['stats'] }> {
  const loaded = await loadManifests(reader, limits);
  let problems = loaded.problems;
  // Only a set that is valid on its own is worth reading specifications for.
  if (!problems.some((p) => p.severity === 'error')) problems = sortProblems([...problems, ...(await validateSelections(loaded.set, reader))]);
  return { set: loaded.set, problems, errors: problems.filter((p) => p.severity === 'error'), stats: loaded.stats };
}
