import type { LoadedObject, ManifestSet } from '../core/manifest.ts';
import type { Problem } from '../core/problem.ts';
import { normalizeRepoPath } from '../core/repo-path.ts';
import type { Integration } from '../generated/manifests.ts';
import { validateSelections } from './validate-selections.ts';
import type { RepositoryReader } from '../core/repository-reader.ts';

/** Problems of one integration's selection, by what they depend on (see selectionKey). */
export interface SelectionCache {
  get(key: string): Problem[] | undefined;
  set(key: string, problems: Problem[]): void;
}

/**
 * validateSelections over a whole set, checking again only integrations whose manifest file or
 * specification changed. What an integration's check finds depends on its manifest (the blob of
 * its file, where problems point) and its specification (the blob its path leads to), so those
 * ids key the cache; integrations whose specification is not a file are checked every time (the
 * check skips them at once). The misses are checked in one call, so each specification is still
 * described once. Only for a set without errors: integration names are then unique.
 */
export async function checkSelectionsIncrementally(
  set: ManifestSet,
  reader: RepositoryReader & { contentId(path: string): Promise<string | undefined> },
  fileIds: ReadonlyMap<string, string>,
  cache: SelectionCache,
): Promise<{ problems: Problem[]; checked: number }> {
  const problems: Problem[] = [];
  const misses: Array<{ object: LoadedObject<Integration>; key?: string }> = [];
  for (const object of set.integrations) {
    const key = await selectionKey(object, reader, fileIds);
    const cached = key === undefined ? undefined : cache.get(key);
    if (cached) problems.push(...cached);
    else misses.push({ object, ...(key === undefined ? {} : { key }) });
  }
  if (misses.length === 0) return { problems, checked: 0 };

  const found = await validateSelections({ integrations: misses.map((m) => m.object), connections: [], environments: [] }, reader);
  const byName = new Map<string, Problem[]>();
  for (const problem of found) {
    const name = problem.object?.name ?? '';
    byName.set(name, [...(byName.get(name) ?? []), problem]);
  }
  for (const miss of misses) {
    const own = byName.get(miss.object.manifest.metadata.name) ?? [];
    if (miss.key !== undefined) cache.set(miss.key, own);
    problems.push(...own);
  }
  return { problems, checked: misses.length };
}

async function selectionKey(
  object: LoadedObject<Integration>,
  reader: { contentId(path: string): Promise<string | undefined> },
  fileIds: ReadonlyMap<string, string>,
): Promise<string | undefined> {
  const fileId = fileIds.get(object.file);
  const raw = object.manifest.spec.source.path;
  const path = raw === undefined ? undefined : normalizeRepoPath(raw);
  if (fileId === undefined || path === undefined) return undefined;
  const specId = await reader.contentId(path);
  if (specId === undefined) return undefined;
  return [object.file, fileId, object.manifest.metadata.name, specId].join('\0');
}
