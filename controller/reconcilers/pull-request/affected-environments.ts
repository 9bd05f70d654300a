/**
 * Which environments a pull request affects, and which of its problems each should show. Pure.
 */
import type { ManifestSet } from '../../core/manifest.ts';
import type { Problem } from '../../core/problem.ts';

export interface AffectedEnvironments {
  /** Sorted. */
  environments: string[];
  /** The problems to show on an environment's check: those of its objects, and those of no object. */
  problemsFor(environment: string): Problem[];
}

/**
 * The environments a change touches: an Environment manifest changed names itself; an Integration
 * names its `environments`; a Connection the environments it is defined for; a specification
 * file the environments of the integrations generated from it. A changed file that no object of
 * the commit accounts for but that was a manifest (removed, or no longer parsing) may have held
 * anything: every environment is affected. Other files (a README, CI configuration) affect none.
 *
 * `present` says whether a path exists at the commit: a YAML file removed may have been a manifest.
 */
export function affectedEnvironments(
  set: ManifestSet,
  changed: readonly string[],
  problems: readonly Problem[],
  known: readonly string[],
  present: (path: string) => boolean,
): AffectedEnvironments {
  const all = [...new Set([...known, ...set.environments.map((e) => e.manifest.metadata.name)])].sort();
  const byFile = new Map<string, Set<string>>();
  const add = (file: string, environments: Iterable<string>) => {
    const entry = byFile.get(file) ?? new Set<string>();
    for (const name of environments) entry.add(name);
    byFile.set(file, entry);
  };
  const byObject = new Map<string, string[]>();
  for (const e of set.environments) {
    add(e.file, [e.manifest.metadata.name]);
    byObject.set(`Environment/${e.manifest.metadata.name}`, [e.manifest.metadata.name]);
  }
  for (const i of set.integrations) {
    add(i.file, i.manifest.spec.environments);
    if (i.manifest.spec.source.path) add(normalise(i.manifest.spec.source.path), i.manifest.spec.environments);
    byObject.set(`Integration/${i.manifest.metadata.name}`, i.manifest.spec.environments);
  }
  for (const c of set.connections) {
    const environments = Object.keys(c.manifest.spec.environments);
    add(c.file, environments);
    byObject.set(`Connection/${c.manifest.metadata.name}`, environments);
  }

  const problemFiles = new Set(problems.filter((p) => p.severity === 'error').map((p) => p.file));
  const affected = new Set<string>();
  for (const file of changed) {
    const named = byFile.get(file);
    if (named && !problemFiles.has(file)) {
      for (const name of named) affected.add(name);
      continue;
    }
    // A manifest removed, or one that no longer parses: it may have named any environment.
    if (named || problemFiles.has(file) || (/\.ya?ml$/i.test(file) && !present(file))) {
      for (const name of all) affected.add(name);
    }
  }
  // Problems outside the changed files (a reference the change broke) still concern their environments.
  for (const problem of problems) {
    if (problem.severity !== 'error') continue;
    const names = problem.object ? byObject.get(`${problem.object.kind}/${problem.object.name}`) : undefined;
    for (const name of names ?? all) affected.add(name);
  }

  const environments = [...affected].filter((name) => all.includes(name)).sort();
  return {
    environments,
    problemsFor(environment) {
      return problems.filter((p) => {
        const names = p.object ? byObject.get(`${p.object.kind}/${p.object.name}`) : undefined;
        return names === undefined || names.includes(environment);
      });
    },
  };
}

function normalise(path: string): string {
  return path.replace(/^\.\//, '').replace(/\\/g, '/');
}
