import { relative } from 'node:path';
import type { Command } from 'commander';
import { fsRepository } from '../../source/fs-repository.ts';
import { formatProblem } from '../../core/problem.ts';
import { DEFAULT_YAML_LIMITS } from '../../load/parse-yaml-file.ts';
import { loadAndValidate } from '../../load/load-and-validate.ts';
import { openDiskManifestCache } from '../../load/disk-manifest-cache.ts';
import { cacheDirectory } from '../../config/read-config.ts';
import { EXIT, exitCodeHelp, type CliIo } from '../io.ts';
import { deprecatedDirArgument, examplesHelp, noCacheOption, outputOption, parseSize, repoOf, repoOption, type OutputFormat } from '../options.ts';
import { printData } from '../print-data.ts';
import { repositoryRoot } from '../repository-root.ts';

interface Options {
  repo?: string;
  output: OutputFormat;
  maxFileSize: string;
  maxSpecSize: string;
  /** False with --no-cache. */
  cache: boolean;
}

export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('check every manifest in the repository: schema, references, paths and secrets')
    .usage('[options]')
    .addArgument(deprecatedDirArgument())
    .addOption(repoOption())
    .addOption(outputOption())
    .option('--max-file-size <size>', 'largest YAML file read, in bytes (or with KiB, MiB)', String(DEFAULT_YAML_LIMITS.maxFileBytes))
    .option('--max-spec-size <size>', 'largest specification read, in bytes (or with KiB, MiB)', `${DEFAULT_YAML_LIMITS.maxSpecBytes! / 1024 / 1024}MiB`)
    .addOption(noCacheOption())
    .addHelpText('after', examplesHelp([
      ["intctl validate", "check the repository the current directory is in"],
      ["intctl validate --repo ../integrations -o json", "every problem of another repository, for a script"],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: 'every manifest is valid', failed: 'the manifests have errors', usage: true }))
    .action(async (positional: string | undefined, options: Options) => {
      const dir = repoOf(io, positional, options.repo);
      const output = options.output;
      const maxFileBytes = parseSize(options.maxFileSize, '--max-file-size');
      const maxSpecBytes = parseSize(options.maxSpecSize, '--max-spec-size');
      const root = await repositoryRoot(io, dir);

      // What each manifest file made, kept by content as plan keeps it: a file validated before,
      // unchanged since, is neither parsed nor validated again; checks across files always run.
      const contents = options.cache ? openDiskManifestCache(cacheDirectory(undefined, io.cwd)) : undefined;
      const result = await loadAndValidate(fsRepository(root), { ...DEFAULT_YAML_LIMITS, maxFileBytes, maxSpecBytes }, contents ? { contents } : {});
      await contents?.save();
      const errors = result.errors;
      const counts = {
        integrations: result.set.integrations.length,
        connections: result.set.connections.length,
        environments: result.set.environments.length,
      };
      if (output !== 'text') {
        printData(io, output, { valid: errors.length === 0, problems: result.problems, counts, files: result.stats.files });
      } else {
        for (const problem of result.problems) io.stdout(`${formatProblem(problem)}\n`);
        if (errors.length === 0) {
          io.stdout(`${dir ?? (relative(io.cwd, root) || '.')}: valid: ${counts.integrations} integrations, ${counts.connections} connections, ${counts.environments} environments\n`);
        } else {
          const files = new Set(errors.map((p) => p.file)).size;
          io.stdout(`${errors.length} ${errors.length === 1 ? 'error' : 'errors'} in ${files} ${files === 1 ? 'file' : 'files'}\n`);
        }
      }
      setExit(errors.length === 0 ? EXIT.ok : EXIT.failed);
    });
}
