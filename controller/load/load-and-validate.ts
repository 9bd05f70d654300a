import type { RepositoryReader } from '../core/repository-reader.ts';
import { loadRepository, type LoadedRepository } from './load-repository.ts';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from './parse-yaml-file.ts';

/**
 * Everything `intctl validate` checks: the manifests, their references, and each integration's
 * selection against its specification (only once the manifests themselves are valid). The load
 * step with no cache, for a reader of a directory or a commit read once.
 */
export function loadAndValidate(reader: RepositoryReader, limits: YamlLimits = DEFAULT_YAML_LIMITS): Promise<LoadedRepository> {
  return loadRepository(reader, { limits });
}
