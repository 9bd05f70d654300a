import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { fsRepository } from '../../source/fs-repository.ts';
import { gitRepository } from '../../source/git-repository.ts';
import { buildArtifact, renderArtifactFiles, type Artifact } from '../../artifact/build-artifact.ts';
import type { ActionCatalog } from '../../artifact/catalog.ts';
import { diffCatalogs, type CatalogChange } from '../../artifact/diff-catalogs.ts';
import type { LoadedObject, ManifestSet } from '../../core/manifest.ts';
import { formatProblem, type Problem } from '../../core/problem.ts';
import { normalizeRepoPath } from '../../core/repo-path.ts';
import type { Integration } from '../../generated/manifests.ts';
import { toProblem } from '../../validate/validate-selections.ts';
import { loadManifests } from '../../load/load-manifests.ts';
import type { RepositoryReader } from '../../core/repository-reader.ts';
import { EXIT, UsageError, type CliIo } from '../io.ts';

interface GenerateOptions {
  repo: string;
  out?: string;
  env?: string;
  diff?: string;
}

export function registerGenerate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('generate')
    .description('generate the artifact of one integration (action catalog, TypeScript declarations), or diff it against another commit')
    .argument('<integration>', 'the name of the Integration')
    .option('--repo <dir>', 'the repository directory', '.')
    .option('-o, --out <dir>', 'write catalog.json, index.d.ts and artifact.json to this directory')
    .option('--env <environment>', 'the environment whose dependency pins to generate for (default: the first the integration targets)')
    .option('--diff <git-ref>', 'show the interface changes from the same integration at this commit, breaking changes first')
    .action(async (name: string, options: GenerateOptions) => {
      const root = resolve(io.cwd, options.repo);
      const info = await stat(root).catch(() => undefined);
      if (!info?.isDirectory()) throw new UsageError(`--repo ${options.repo} is not a directory`);

      const current = await generateAt(fsRepository(root), name, options.env);
      if ('problems' in current) {
        for (const problem of current.problems) io.stdout(`${formatProblem(problem)}\n`);
        setExit(EXIT.failed);
        return;
      }
      const artifact = current.artifact;
      if (options.diff !== undefined) {
        const reader = await gitRepository(root, options.diff).catch((error: Error) => {
          throw new UsageError(`--diff ${options.diff}: not a commit of ${root} (${error.message.split('\n')[0]})`);
        });
        const before = await generateAt(reader, name, options.env);
        if ('problems' in before && before.problems.length > 0 && !before.missing) {
          io.stdout(`${name} at ${options.diff} could not be generated:\n`);
          for (const problem of before.problems) io.stdout(`  ${formatProblem(problem)}\n`);
          setExit(EXIT.failed);
          return;
        }
        const old = 'artifact' in before ? before.artifact.catalog : emptyCatalog(artifact.catalog);
        io.stdout(renderDiff(name, options.diff, diffCatalogs(old, artifact.catalog)));
        setExit(EXIT.ok);
        return;
      }
      io.stdout(renderSummary(artifact, current.environment));
      if (options.out !== undefined) {
        const dir = resolve(io.cwd, options.out);
        await mkdir(dir, { recursive: true });
        for (const [file, text] of Object.entries(renderArtifactFiles(artifact))) {
          await writeFile(join(dir, file), text);
          io.stdout(`wrote ${join(options.out, file)}\n`);
        }
      }
      setExit(EXIT.ok);
    });
}

type Generated = { artifact: Artifact; environment: string | undefined } | { problems: Problem[]; missing?: boolean };

/** Loads a repository, finds the integration and generates it for one of its environments. */
async function generateAt(reader: RepositoryReader, name: string, envName: string | undefined): Promise<Generated> {
  const loaded = await loadManifests(reader);
  const object = loaded.set.integrations.find((i) => i.manifest.metadata.name === name);
  if (!object) {
    const known = loaded.set.integrations.map((i) => i.manifest.metadata.name).sort();
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) return { problems: errors, missing: true };
    return { problems: [{ file: '.', line: 1, column: 1, severity: 'error', reason: 'DanglingReference', message: `no integration named ${name} (${known.length > 0 ? `defined: ${known.join(', ')}` : 'none are defined'})` }], missing: true };
  }
  const errors = loaded.problems.filter((p) => p.severity === 'error' && p.file === object.file);
  if (errors.length > 0) return { problems: errors };
  return generateOne(reader, loaded.set, object, envName);
}

async function generateOne(reader: RepositoryReader, set: ManifestSet, object: LoadedObject<Integration>, envName: string | undefined): Promise<Generated> {
  const spec = object.manifest.spec;
  const environment = envName ?? spec.environments[0];
  const env = set.environments.find((e) => e.manifest.metadata.name === environment);
  if (envName !== undefined && !env) throw new UsageError(`--env ${envName}: no such environment`);
  const connection = set.connections.find((c) => c.manifest.metadata.name === spec.connection);
  const path = spec.source.path === undefined ? undefined : normalizeRepoPath(spec.source.path);
  let bytes: Uint8Array = new Uint8Array();
  if (path !== undefined) {
    if ((await reader.checkPath(path)) !== 'file') {
      return { problems: [toProblem(object, { reason: 'SpecificationInvalid', pointer: '', message: `${path} is not a file in the repository` })] };
    }
    bytes = await reader.read(path);
  }
  const built = await buildArtifact({
    integration: object.manifest,
    specBytes: bytes,
    specPath: path ?? '',
    pins: env?.manifest.spec.dependencies,
    authType: connection?.manifest.spec.auth.type,
  });
  if (!built.ok) {
    return {
      problems: built.problems.map((p) => toProblem(object, p.field ? p : { ...p, message: `${path ?? spec.system}${p.pointer ? ` at ${p.pointer}` : ''}: ${p.message}` })),
    };
  }
  return { artifact: built.value, environment };
}

function renderSummary(artifact: Artifact, environment: string | undefined): string {
  const catalog = artifact.catalog;
  const lines = [
    `integration ${artifact.integration}: ${catalog.specification.format} from ${catalog.specification.path}, ${artifact.generator.system} generator ${artifact.generator.version}${environment ? `, for environment ${environment}` : ''}`,
    `hash ${artifact.hash}`,
    `requires ${Object.entries(artifact.requires).map(([d, r]) => `${d} ${r}`).join(', ')}`,
    `${catalog.entities.length} entities, ${catalog.actions.length} actions, ${Object.keys(catalog.definitions).length} types`,
  ];
  for (const entity of catalog.entities) lines.push(`  ${entity.name}: ${entity.actions.join(', ')}`);
  const functions = catalog.actions.filter((a) => a.kind === 'Function');
  if (functions.length > 0) lines.push(`  functions: ${functions.map((f) => f.name).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function renderDiff(name: string, ref: string, changes: CatalogChange[]): string {
  const breaking = changes.filter((c) => c.severity === 'breaking').length;
  if (changes.length === 0) return `${name}: no interface changes since ${ref}\n`;
  const lines = [`${name}: ${breaking} breaking, ${changes.length - breaking} compatible ${changes.length === 1 ? 'change' : 'changes'} since ${ref}`];
  for (const c of changes) lines.push(`  ${c.severity === 'breaking' ? 'BREAKING  ' : 'compatible'}  ${c.kind.padEnd(19)} ${c.message}`);
  return `${lines.join('\n')}\n`;
}

function emptyCatalog(like: ActionCatalog): ActionCatalog {
  return { ...like, entities: [], actions: [], definitions: {} };
}
