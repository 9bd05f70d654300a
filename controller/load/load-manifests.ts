import type { Connection, Environment, Integration } from '../generated/manifests.ts';
import type { LoadedObject, ManifestSet } from '../core/manifest.ts';
import { sortProblems, type Problem } from '../core/problem.ts';
import { validateDocument } from '../core/validate-schema.ts';
import { normalizeRepoPath, validateReferences, type PathCheck } from '../core/validate-references.ts';
import { DEFAULT_YAML_LIMITS, parseYamlFile, type YamlLimits } from './parse-yaml-file.ts';
import type { RepositoryReader } from './repository-reader.ts';

export interface LoadResult {
  set: ManifestSet;
  problems: Problem[];
  /** YAML files looked at, and those that held objects of our API group. */
  stats: { files: number; manifestFiles: number };
}

/** Files without our API group's name cannot hold our objects: third-party YAML is never parsed. */
const MARKER = 'intctl.dev';
const READ_CONCURRENCY = 32;

/**
 * Loads and validates every manifest of a repository: reads each YAML file (skipping those that
 * cannot hold our objects), parses it within limits, validates each object against its schema,
 * then across objects. Never throws for bad input; every problem found is returned at once.
 */
export async function loadManifests(reader: RepositoryReader, limits: YamlLimits = DEFAULT_YAML_LIMITS): Promise<LoadResult> {
  const entries = await reader.listYamlFiles();
  const set: ManifestSet = { integrations: [], connections: [], environments: [] };
  const problems: Problem[] = [];
  const oversized: string[] = [];
  let manifestFiles = 0;

  const loadOne = async (path: string, size: number): Promise<void> => {
    if (size > limits.maxFileBytes) {
      oversized.push(path);
      return;
    }
    const bytes = await reader.read(path);
    if (!contains(bytes, MARKER)) return;
    const parsed = parseYamlFile(path, bytes, limits);
    problems.push(...parsed.problems);
    let ours = parsed.problems.length > 0;
    for (const doc of parsed.documents) {
      const result = validateDocument(doc);
      problems.push(...result.problems);
      if (result.problems.length > 0) ours = true;
      if (!result.object) continue;
      ours = true;
      const object = result.object;
      if (object.manifest.kind === 'Integration') set.integrations.push(object as LoadedObject<Integration>);
      else if (object.manifest.kind === 'Connection') set.connections.push(object as LoadedObject<Connection>);
      else set.environments.push(object as LoadedObject<Environment>);
    }
    if (ours) manifestFiles++;
  };

  for (let i = 0; i < entries.length; i += READ_CONCURRENCY) {
    await Promise.all(entries.slice(i, i + READ_CONCURRENCY).map((e) => loadOne(e.path, e.size)));
  }
  // Concurrent reads finish in any order; keep objects in file order so output is stable.
  for (const list of [set.integrations, set.connections, set.environments] as LoadedObject[][]) {
    list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.locate([]).line - b.locate([]).line));
  }

  const paths = new Map<string, PathCheck>();
  for (const integration of set.integrations) {
    const path = integration.manifest.spec.source.path;
    const normalized = path === undefined ? undefined : normalizeRepoPath(path);
    if (normalized !== undefined && !paths.has(normalized)) paths.set(normalized, await reader.checkPath(normalized));
  }
  for (const path of oversized) {
    if (paths.has(path)) continue; // a large specification document is the generator's to read
    problems.push({
      file: path,
      line: 1,
      column: 1,
      severity: 'error',
      reason: 'FileTooLarge',
      message: `file is over the limit of ${limits.maxFileBytes} bytes (--max-file-size); it was not read`,
    });
  }

  problems.push(...validateReferences(set, paths));
  return { set, problems: sortProblems(problems), stats: { files: entries.length, manifestFiles } };
}

function contains(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(needle);
}
