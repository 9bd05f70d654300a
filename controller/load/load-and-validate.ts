import type { RepositoryReader } from '../core/repository-reader.ts';
import { createSpecModels, type SpecModels } from '../generators/spec-models.ts';
import type { ContentCache } from './load-manifests.ts';
import { loadRepository, type LoadedRepository } from './load-repository.ts';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from './parse-yaml-file.ts';

/**
 * Everything `intctl validate` checks: the manifests, their references, and each integration's
 * selection against its specification (only once the manifests themselves are valid). The load
 * step with no cache of files, for a reader of a directory or a commit read once; the specifications
 * it parses come back with it (`models`), so that generating from the same manifests parses none again.
 * With `deferSelections`, the selections are checked when the caller asks (`deferredSelections`),
 * so that a plan need not check those of integrations an environment already holds. With
 * `contents`, files whose bytes an earlier run loaded are not parsed again.
 */
export async function loadAndValidate(
  reader: RepositoryReader,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
  options: { deferSelections?: boolean; contents?: ContentCache } = {},
): Promise<LoadedRepository & { models: SpecModels }> {
  const models = createSpecModels();
  const more = { ...(options.deferSelections ? { deferSelections: true } : {}), ...(options.contents ? { contents: options.contents } : {}) };
  return { ...(await loadRepository(reader, { limits, models, ...more })), models };
}
