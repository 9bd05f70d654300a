import type { GenerationalCache } from '../core/generational-cache.ts';
import type { LoadedObject, ManifestSet } from '../core/manifest.ts';
import { sortProblems, type Problem } from '../core/problem.ts';
import type { RepositoryReader } from '../core/repository-reader.ts';
import type { SpecModels } from '../generators/spec-models.ts';
import type { Integration } from '../generated/manifests.ts';
import { checkSelectionsIncrementally, type CachedSelection } from '../validate/check-selections-incrementally.ts';
import { validateSelections } from '../validate/validate-selections.ts';
import { loadManifests, type CachedFile, type ContentCache, type LoadResult } from './load-manifests.ts';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from './parse-yaml-file.ts';

/**
 * What a long-lived loader (the controller's Git source) keeps from one load to the next, for a
 * reader that knows content ids: what each file made, by path with its blob id, and each
 * integration's selection problems, by name with the blobs of its manifest and specification.
 */
export interface LoadCaches {
  files: GenerationalCache<CachedFile>;
  selections: GenerationalCache<CachedSelection>;
}

export interface LoadOptions {
  /** Limits on the YAML files read; DEFAULT_YAML_LIMITS when left out. */
  limits?: YamlLimits;
  caches?: LoadCaches;
  /** What files' contents made, kept across runs by a loader without content ids (the CLI). */
  contents?: ContentCache;
  /** Parsed specifications, to share with what is generated from this load. */
  models?: SpecModels;
  /**
   * Leave the selection checks to the caller, who knows which integrations an environment already
   * holds at the same content hash (`deferredSelections`); for a load without caches.
   */
  deferSelections?: boolean;
}

export interface LoadedRepository {
  set: ManifestSet;
  /** Every problem found, sorted by file, line and column. */
  problems: Problem[];
  /** The problems that are errors: when there are any, nothing of this load may be applied. */
  errors: Problem[];
  stats: LoadResult['stats'] & {
    /** Integrations whose selection was checked against their specification in this load (not taken from a cache). */
    selectionsChecked: number;
  };
  /**
   * With `deferSelections` and manifests without errors: checks the selections of every
   * integration except those `skip` names, and gives their problems (warnings included), sorted.
   */
  deferredSelections?: (skip: (object: LoadedObject<Integration>) => boolean) => Promise<Problem[]>;
}

/**
 * The load step, for the CLI and the controller alike: parses each manifest file and validates
 * each object against its schema, validates across objects (names, references, paths), then, once
 * all of that holds, checks each integration's selection against its specification. Never throws
 * for bad input; every problem is returned at once.
 *
 * With caches, files and selections whose inputs did not change are neither read nor checked
 * again, and each load ends a pass of every cache it is given, `models` included: it rotates them
 * (see GenerationalCache), so they hold what the last load or two used. Selection checks and
 * models are rotated only when selections were checked, so a broken commit does not empty them;
 * a load that throws discards what it touched.
 */
export async function loadRepository(reader: RepositoryReader, options: LoadOptions = {}): Promise<LoadedRepository> {
  const { caches, models } = options;
  try {
    const loaded = await loadManifests(reader, options.limits ?? DEFAULT_YAML_LIMITS, caches?.files, Date.now(), options.contents);
    let problems = loaded.problems;
    let selectionsChecked = 0;
    // Only a set that is valid on its own is worth reading specifications for.
    const checkSelections = !problems.some((p) => p.severity === 'error');
    const maxSpecBytes = (options.limits ?? DEFAULT_YAML_LIMITS).maxSpecBytes ?? DEFAULT_YAML_LIMITS.maxSpecBytes;
    if (checkSelections && options.deferSelections && !caches) {
      const deferredSelections = async (skip: (object: LoadedObject<Integration>) => boolean): Promise<Problem[]> => {
        const integrations = loaded.set.integrations.filter((object) => !skip(object));
        const found = await validateSelections({ integrations, connections: [], environments: [] }, reader, models, maxSpecBytes === undefined ? {} : { maxSpecBytes });
        return sortProblems(found);
      };
      return { set: loaded.set, problems, errors: [], stats: { ...loaded.stats, selectionsChecked: 0 }, deferredSelections };
    }
    if (checkSelections) {
      const selections = await checkSelectionsIncrementally(loaded.set, reader, {
        ...(caches ? { cache: caches.selections } : {}),
        ...(models ? { models } : {}),
        ...(maxSpecBytes === undefined ? {} : { limits: { maxSpecBytes } }),
      });
      problems = sortProblems([...problems, ...selections.problems]);
      selectionsChecked = selections.checked;
    }
    caches?.files.rotate();
    if (checkSelections) {
      caches?.selections.rotate();
      models?.rotate();
    }
    return { set: loaded.set, problems, errors: problems.filter((p) => p.severity === 'error'), stats: { ...loaded.stats, selectionsChecked } };
  } catch (error) {
    caches?.files.discard();
    caches?.selections.discard();
    models?.discard();
    throw error;
  }
}
