/**
 * Which environments a pull request affects, and which of its problems each should show. Pure.
 */
import type { ManifestSet } from '../../core/manifest.ts';
import type { Problem } from '../../core/problem.ts';
import { normalizeRepoPath } from '../../core/repo-path.ts';

export interface AffectedEnvironments {
  /** Sorted. */
  environments: string[];
  /** The problems to show on an environment's check: those of its objects, and those of no object. */
  problemsFor(environment: string): Problem[];
}

export interface AffectedInput {
  /** The manifests of the pull request's head. */
  head: ManifestSet;
  /**
   * The manifests of the tracked branch the pull request merges into; undefined when they cannot
   * be read (the branch does not validate, or was never loaded): then every environment a changed
   * manifest could concern is affected.
   */
  base: ManifestSet | undefined;
  /** The files the pull request changes (added, modified, removed), repository-relative. */
  changed: readonly string[];
  /** The head's problems. */
  problems: readonly Problem[];
  /** The environments of the tracked branch. */
  known: readonly string[];
  /** Whether a path exists at the head. */
  present: (path: string) => boolean;
}

/**
 * The environments a change touches: those that the objects of each changed file name, at the
 * head AND on the base, since a pull request that removes an environment from an integration, or
 * empties a manifest, changes what the environment it no longer names will get (a prune, say).
 * An Environment manifest names itself; an Integration its `environments`; a Connection the
 * environments it is defined for; a specification file the environments of the integrations
 * generated from it. A changed manifest that no longer parses, or a changed file that the base
 * cannot account for because the base could not be read, may have named anything: every
 * environment is affected. Other files (a README, CI configuration) affect none.
 */
export function affectedEnvironments(input: AffectedInput): AffectedEnvironments {
  const { head, base, changed, problems } = input;
  const all = [...new Set([...input.known, ...namesOf(head), ...(base ? namesOf(base) : [])])].sort();
  // Only the changed files are looked up: a pull request of one file in a repository of 10,000
  // builds two small maps, not two of every file (tens of milliseconds on every pull request).
  const wanted = new Set(changed);
  const headFiles = environmentsByFile(head, wanted);
  const baseFiles = base ? environmentsByFile(base, wanted) : undefined;
  // Asked only for problems, which most pull requests have none of.
  let byObjectMap: Map<string, string[]> | undefined;
  const byObject = (): Map<string, string[]> => (byObjectMap ??= environmentsByObject(head));

  const problemFiles = new Set(problems.filter((p) => p.severity === 'error').map((p) => p.file));
  const affected = new Set<string>();
  const addAll = (names: Iterable<string>) => {
    for (const name of names) affected.add(name);
  };
  for (const file of changed) {
    // A manifest that no longer parses may have named any environment, then and now.
    if (problemFiles.has(file)) {
      addAll(all);
      continue;
    }
    const isYaml = /\.ya?ml$/i.test(file);
    const named = headFiles.get(file);
    if (named) addAll(named);
    if (baseFiles) addAll(baseFiles.get(file) ?? []);
    // Unsure what the file held on the base: a YAML file, or a file the head no longer accounts for.
    else if (isYaml || (!named && !input.present(file))) addAll(all);
  }
  // Problems outside the changed files (a reference the change broke) still concern their environments.
  for (const problem of problems) {
    if (problem.severity !== 'error') continue;
    const names = problem.object ? byObject().get(`${problem.object.kind}/${problem.object.name}`) : undefined;
    addAll(names ?? all);
  }

  const environments = [...affected].filter((name) => all.includes(name)).sort();
  return {
    environments,
    problemsFor(environment) {
      return problems.filter((p) => {
        const names = p.object ? byObject().get(`${p.object.kind}/${p.object.name}`) : undefined;
        return names === undefined || names.includes(environment);
      });
    },
  };
}

function namesOf(set: ManifestSet): string[] {
  return set.environments.map((e) => e.manifest.metadata.name);
}

/** For each of `files` (a manifest, or a specification an integration is generated from) that concerns any, the environments it concerns. */
function environmentsByFile(set: ManifestSet, files: ReadonlySet<string>): Map<string, Set<string>> {
  const byFile = new Map<string, Set<string>>();
  const add = (file: string | undefined, environments: Iterable<string>) => {
    if (file === undefined || !files.has(file)) return;
    const entry = byFile.get(file) ?? new Set<string>();
    for (const name of environments) entry.add(name);
    byFile.set(file, entry);
  };
  for (const e of set.environments) add(e.file, [e.manifest.metadata.name]);
  for (const i of set.integrations) {
    add(i.file, i.manifest.spec.environments);
    const path = i.manifest.spec.source.path;
    if (path) add(normalizeRepoPath(path), i.manifest.spec.environments);
  }
  for (const c of set.connections) add(c.file, Object.keys(c.manifest.spec.environments));
  return byFile;
}

function environmentsByObject(set: ManifestSet): Map<string, string[]> {
  const byObject = new Map<string, string[]>();
  for (const e of set.environments) byObject.set(`Environment/${e.manifest.metadata.name}`, [e.manifest.metadata.name]);
  for (const i of set.integrations) byObject.set(`Integration/${i.manifest.metadata.name}`, i.manifest.spec.environments);
  for (const c of set.connections) byObject.set(`Connection/${c.manifest.metadata.name}`, Object.keys(c.manifest.spec.environments));
  return byObject;
}
