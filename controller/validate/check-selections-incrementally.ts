import type { LoadedObject, ManifestSet } from '../core/manifest.ts';
import type { Problem } from '../core/problem.ts';
import { normalizeRepoPath } from '../core/repo-path.ts';
import type { RepositoryReader } from '../core/repository-reader.ts';
import type { Integration } from '../generated/manifests.ts';
import type { SpecModels } from '../generators/spec-models.ts';
import { validateSelections, type SpecLimits } from './validate-selections.ts';

/** Problems of one integration's selection, by what they depend on (see selectionKey). */
export interface SelectionCache {
  get(key: string): Problem[] | undefined;
  set(key: string, problems: Problem[]): void;
}

/**
 * validateSelections over a whole set, checking again only integrations whose manifest file or
 * specification changed. What an integration's check finds depends on its manifest (the content
 * of its file, where problems point) and its specification (the content its path leads to), so
 * their content ids key the cache; integrations whose files have no content id (a reader that
 * knows none, a specification that is not a file) are checked every time, and so is everything
 * without a cache. The misses are checked in one call, so each specification is still described
 * once, and parsed through `models`. Only for a set without errors: integration names are then
 * unique. `checked` counts the integrations checked, not taken from the cache.
 */
export async function checkSelectionsIncrementally(
  set: ManifestSet,
  reader: RepositoryReader,
  options: { cache?: SelectionCache; models?: SpecModels; limits?: SpecLimits } = {},
): Promise<{ problems: Problem[]; checked: number }> {
  const { cache, models } = options;
  const problems: Problem[] = [];
  const misses: Array<{ object: LoadedObject<Integration>; key?: string }> = [];
  for (const object of set.integrations) {
    const key = cache ? await selectionKey(object, reader) : undefined;
    const cached = key === undefined ? undefined : cache!.get(key);
    if (cached) problems.push(...cached);
    else misses.push({ object, ...(key === undefined ? {} : { key }) });
  }
  if (misses.length === 0) return { problems, checked: 0 };

  const found = await validateSelections({ integrations: misses.map((m) => m.object), connections: [], environments: [] }, reader, models, options.limits);
  const byName = new Map<string, Problem[]>();
  for (const problem of found) {
    const name = problem.object?.name ?? '';
    byName.set(name, [...(byName.get(name) ?? []), problem]);
  }
  for (const miss of misses) {
    const own = byName.get(miss.object.manifest.metadata.name) ?? [];
    if (miss.key !== undefined) cache!.set(miss.key, own);
    problems.push(...own);
  }
  return { problems, checked: misses.length };
}

async function selectionKey(object: LoadedObject<Integration>, reader: RepositoryReader): Promise<string | undefined> {
  const raw = object.manifest.spec.source.path;
  const path = raw === undefined ? undefined : normalizeRepoPath(raw);
  if (path === undefined || !reader.contentId) return undefined;
  const fileId = await reader.contentId(object.file);
  const specId = await reader.contentId(path);
  if (fileId === undefined || specId === undefined) return undefined;
  return [object.file, fileId, object.manifest.metadata.name, specId].join('\0');
}
