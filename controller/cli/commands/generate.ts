import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { fsRepository } from '../../source/fs-repository.ts';
import { buildArtifact, renderArtifactFiles, type Artifact } from '../../artifact/build-artifact.ts';
import type { ActionCatalog } from '../../core/catalog.ts';
import { diffCatalogs, type CatalogChange } from '../../artifact/diff-catalogs.ts';
import type { LoadedObject, ManifestSet } from '../../core/manifest.ts';
import { formatProblem, type Problem } from '../../core/problem.ts';
import { normalizeRepoPath } from '../../core/repo-path.ts';
import { isSpecUrl, specUrlMessage } from '../../core/spec-url.ts';
import type { Integration } from '../../generated/manifests.ts';
import { toProblem } from '../../validate/validate-selections.ts';
import type { SpecProblem } from '../../generators/generator.ts';
import { loadManifests } from '../../load/load-manifests.ts';
import type { RepositoryReader } from '../../core/repository-reader.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { formatData } from '../print-data.ts';
import { specificationProgress, type SpecificationProgress } from '../progress.ts';
import { envOption, examplesHelp, isOutputFormat, outputOption, parseOutput, progressOption, repoOption, warnDeprecated, type OutputFormat } from '../options.ts';
import { readCommit, repositoryRoot, requireEnvironment } from '../workspace.ts';

interface GenerateOptions {
  repo?: string;
  /** A format; for one release, a directory too (the old `-o <dir>`). */
  output: string;
  outDir?: string;
  progress?: boolean;
  /** Deprecated: `--out-dir`. */
  out?: string;
  env?: string;
  diff?: string;
}

export function registerGenerate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('generate')
    .description('generate the artifact of one integration (action catalog, TypeScript declarations), or diff it against another commit')
    .argument('<integration>', 'the name of the Integration')
    .addOption(repoOption())
    .addOption(envOption('the environment whose dependency pins to generate for (default: the first the integration targets)', false))
    .addOption(outputOption().argParser((value: string) => value))
    .option('--out-dir <dir>', 'write catalog.json, index.d.ts and artifact.json to this directory')
    .addOption(new Option('--out <dir>', 'deprecated: use --out-dir <dir>').hideHelp())
    .option('--diff <git-ref>', 'show the interface changes from the same integration at this commit, breaking changes first')
    .addOption(progressOption())
    .addHelpText('after', examplesHelp([
      ["intctl generate sales-orders", "what sales-orders generates: entities, actions, dependency ranges"],
      ["intctl generate sales-orders --env prod --out-dir build/sales-orders", "write its catalog, TypeScript declarations and artifact, with prod's pins"],
      ["intctl generate sales-orders --diff main", "its interface changes since main, breaking changes first"],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: true, failed: 'the integration cannot be generated: its problems are printed', usage: true }))
    .action(async (name: string, options: GenerateOptions) => {
      const { output, outDir } = artifactOutput(io, options);
      const root = await repositoryRoot(io, options.repo);
      const reader = fsRepository(root);
      if (options.env !== undefined) await requireEnvironment(reader, options.env);

      const progress = output === 'text' ? specificationProgress(io, options.progress === true) : undefined;
      const current = await generateAt(reader, name, options.env, progress);
      if ('missing' in current && current.problems.length === 0) throw new UsageError(current.missing);
      if ('problems' in current) {
        // Not found among manifests with errors: one of them may be the integration, so they come first.
        for (const problem of current.problems) io.stderr(`${formatProblem(problem)}\n`);
        if ('missing' in current) io.stderr(`intctl: ${current.missing}\n`);
        setExit(EXIT.failed);
        return;
      }
      const artifact = current.artifact;
      // Faults of the specification outside the selection: shown, not blocking.
      for (const warning of current.warnings) io.stderr(`${formatProblem(warning)}\n`);
      if (options.diff !== undefined) {
        const before = await generateAt(await readCommit(root, options.diff, '--diff'), name, options.env, progress);
        if ('problems' in before && !('missing' in before)) {
          io.stderr(`intctl: ${name} at ${options.diff} cannot be generated:\n`);
          for (const problem of before.problems) io.stderr(`  ${formatProblem(problem)}\n`);
          setExit(EXIT.failed);
          return;
        }
        // Not there yet at that commit: everything it has now is new.
        const old = 'artifact' in before ? before.artifact.catalog : emptyCatalog(artifact.catalog);
        const changes = diffCatalogs(old, artifact.catalog);
        io.stdout(output === 'text' ? renderDiff(name, options.diff, changes) : formatData(output, { integration: name, since: options.diff, changes }));
        setExit(EXIT.ok);
        return;
      }
      io.stdout(output === 'text' ? renderSummary(artifact, current.environment) : formatData(output, artifactJson(artifact, current.environment)));
      if (outDir !== undefined) {
        const dir = resolve(io.cwd, outDir);
        await mkdir(dir, { recursive: true });
        for (const [file, text] of Object.entries(renderArtifactFiles(artifact))) {
          await writeFile(join(dir, file), text);
          if (output === 'text') io.stdout(`wrote ${join(outDir, file)}\n`);
        }
      }
      setExit(EXIT.ok);
    });
}

/**
 * The format and the artifact's directory. `-o` takes a format now; for one release a value that
 * is not one is the directory it used to name, as is `--out`, each with a deprecation notice.
 */
function artifactOutput(io: CliIo, options: GenerateOptions): { output: OutputFormat; outDir?: string } {
  const dirs: Array<[string, string]> = [];
  if (options.outDir !== undefined) dirs.push(['--out-dir', options.outDir]);
  if (!isOutputFormat(options.output)) {
    warnDeprecated(io, 'outputDir');
    dirs.push(['-o', options.output]);
  }
  if (options.out !== undefined) {
    warnDeprecated(io, 'out');
    dirs.push(['--out', options.out]);
  }
  if (dirs.length > 1) throw new UsageError(`the artifact's directory is given twice (${dirs.map(([flag, dir]) => `${flag} ${dir}`).join(', ')}); use --out-dir only`);
  const output = isOutputFormat(options.output) ? parseOutput(options.output) : 'text';
  return dirs.length === 0 ? { output } : { output, outDir: dirs[0]![1] };
}

/** The artifact as one JSON document: what the files written with --out-dir hold, and what it was generated for. */
function artifactJson(artifact: Artifact, environment: string | undefined): unknown {
  return {
    integration: artifact.integration,
    environment: environment ?? null,
    system: artifact.system,
    generator: artifact.generator,
    hash: artifact.hash,
    requires: artifact.requires,
    catalog: artifact.catalog,
    declarations: artifact.declarations,
  };
}

type Generated = { artifact: Artifact; environment: string | undefined; warnings: Problem[] } | { problems: Problem[] } | { missing: string; problems: Problem[] };

/** Loads a repository, finds the integration and generates it for one of its environments. */
async function generateAt(reader: RepositoryReader, name: string, envName: string | undefined, progress?: SpecificationProgress): Promise<Generated> {
  const loaded = await loadManifests(reader);
  const object = loaded.set.integrations.find((i) => i.manifest.metadata.name === name);
  if (!object) {
    const known = loaded.set.integrations.map((i) => i.manifest.metadata.name).sort();
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    return { missing: `integration ${name} is not defined in the repository (defined: ${known.join(', ') || 'none'})`, problems: errors };
  }
  const errors = loaded.problems.filter((p) => p.severity === 'error' && p.file === object.file);
  if (errors.length > 0) return { problems: errors };
  return generateOne(reader, loaded.set, object, envName, progress);
}

async function generateOne(reader: RepositoryReader, set: ManifestSet, object: LoadedObject<Integration>, envName: string | undefined, progress?: SpecificationProgress): Promise<Generated> {
  const spec = object.manifest.spec;
  const environment = envName ?? spec.environments[0];
  // At another commit (--diff) the environment may not be defined yet: the default pins stand in.
  const env = set.environments.find((e) => e.manifest.metadata.name === environment);
  const connection = set.connections.find((c) => c.manifest.metadata.name === spec.connection);
  if (spec.source.path !== undefined && isSpecUrl(spec.source.path)) {
    return { problems: [toProblem(object, { reason: 'SpecificationInvalid', pointer: '', message: specUrlMessage(spec.source.path, object.manifest.metadata.name, spec.system) })] };
  }
  const path = spec.source.path === undefined ? undefined : normalizeRepoPath(spec.source.path);
  let bytes: Uint8Array = new Uint8Array();
  if (path !== undefined) {
    if ((await reader.checkPath(path)) !== 'file') {
      return { problems: [toProblem(object, { reason: 'SpecificationInvalid', pointer: '', message: `${path} is not a file in the repository` })] };
    }
    bytes = await reader.read(path);
  }
  progress?.start(object.manifest.metadata.name, path ?? spec.system, bytes.length);
  const built = await buildArtifact({
    integration: object.manifest,
    specBytes: bytes,
    specPath: path ?? '',
    pins: env?.manifest.spec.dependencies,
    authType: connection?.manifest.spec.auth.type,
  });
  progress?.end();
  const located = (p: SpecProblem): Problem => toProblem(object, p.field ? p : { ...p, message: `${path ?? spec.system}${p.pointer ? ` at ${p.pointer}` : ''}: ${p.message}` });
  if (!built.ok) return { problems: built.problems.map(located) };
  return { artifact: built.value, environment, warnings: (built.warnings ?? []).map(located) };
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
