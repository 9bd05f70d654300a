import type { LoadedObject, ManifestSet } from '../core/manifest.ts';
import type { Problem } from '../core/problem.ts';
import { normalizeRepoPath } from '../core/repo-path.ts';
import type { RepositoryReader } from '../core/repository-reader.ts';
import type { Integration } from '../generated/manifests.ts';
import type { SpecModels } from '../generators/spec-models.ts';
import { validateSelections, type SpecLimits } from './validate-selections.ts';

/** The problems of one integration's selection, and what they were found from: its file and the content ids of the file and of its specification. */
export interface CachedSelection {
  file: string;
  fileId: string;
  specId: string;
  problems: Problem[];
}

/** Selection problems by integration name, with what they were found from. */
export interface SelectionCache {
  get(name: string): CachedSelection | undefined;
  set(name: string, value: CachedSelection): void;
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
  const misses: Array<{ object: LoadedObject<Integration>; inputs?: Inputs }> = [];
  const specIds = new Map<string, string | undefined>();
  for (const object of set.integrations) {
    // The same manifest object (a file the loader kept) against the same specification: checked before.
    const known = cache ? checkedObjects.get(object) : undefined;
    if (known) {
      if (!specIds.has(known.specPath)) specIds.set(known.specPath, await reader.contentId?.(known.specPath));
      if (specIds.get(known.specPath) === known.inputs.specId) {
        cache!.set(object.manifest.metadata.name, known.selection);
        problems.push(...known.selection.problems);
        continue;
      }
    }
    const inputs = cache ? await inputsOf(object, reader, specIds) : undefined;
    const cached = inputs && cache!.get(object.manifest.metadata.name);
    if (cached && inputs && cached.fileId === inputs.fileId && cached.specId === inputs.specId && cached.file === inputs.file) {
      remember(object, inputs, cached);
      problems.push(...cached.problems);
    } else misses.push({ object, ...(inputs ? { inputs } : {}) });
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
    if (miss.inputs) {
      const selection = { ...miss.inputs, problems: own };
      cache!.set(miss.object.manifest.metadata.name, selection);
      remember(miss.object, miss.inputs, selection);
    }
    problems.push(...own);
  }
  return { problems, checked: misses.length };
}

type Inputs = Omit<CachedSelection, 'problems'>;

/**
 * The selection checked for a manifest object, with the specification it was checked against: a
 * loader that keeps the objects of unchanged files (the controller's) hands the same object again,
 * whose file and content are those it was checked with, so only its specification's content id is
 * asked again (once per specification), and nothing is awaited per integration.
 */
const checkedObjects = new WeakMap<LoadedObject<Integration>, { specPath: string; inputs: Inputs; selection: CachedSelection }>();

function remember(object: LoadedObject<Integration>, inputs: Inputs, selection: CachedSelection): void {
  const raw = object.manifest.spec.source.path;
  const specPath = raw === undefined ? undefined : normalizeRepoPath(raw);
  // Only a manifest nobody can change (loaded manifests are frozen) may keep what was found from it.
  if (specPath !== undefined && Object.isFrozen(object.manifest) && object.file === inputs.file) checkedObjects.set(object, { specPath, inputs, selection });
}

/** What an integration's selection check depends on, or undefined when the reader cannot tell (no content ids, a specification that is not a file). */
async function inputsOf(object: LoadedObject<Integration>, reader: RepositoryReader, specIds: Map<string, string | undefined>): Promise<Inputs | undefined> {
  const raw = object.manifest.spec.source.path;
  const path = raw === undefined ? undefined : normalizeRepoPath(raw);
  if (path === undefined || !reader.contentId) return undefined;
  const fileId = await reader.contentId(object.file);
  if (!specIds.has(path)) specIds.set(path, await reader.contentId(path));
  const specId = specIds.get(path);
  if (fileId === undefined || specId === undefined) return undefined;
  return { file: object.file, fileId, specId };
}
