import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fsRepository } from '../../source/fs-repository.ts';
import { formatProblem } from '../../core/problem.ts';
import { DEFAULT_YAML_LIMITS } from '../../load/parse-yaml-file.ts';
import { loadAndValidate } from '../../load/load-and-validate.ts';
import { EXIT, UsageError, type CliIo } from '../io.ts';
import { parseOutput, parseSize } from '../options.ts';

export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('check every manifest in a directory: schema, references, paths and secrets')
    .argument('[dir]', 'the repository directory', '.')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--max-file-size <size>', 'largest YAML file read, in bytes (or with KiB, MiB)', String(DEFAULT_YAML_LIMITS.maxFileBytes))
    .action(async (dir: string, options: { output: string; maxFileSize: string }) => {
      const output = parseOutput(options.output);
      const maxFileBytes = parseSize(options.maxFileSize, '--max-file-size');
      const root = resolve(io.cwd, dir);
      const info = await stat(root).catch(() => undefined);
      if (!info?.isDirectory()) throw new UsageError(`${dir} is not a directory`);

      const result = await loadAndValidate(fsRepository(root), { ...DEFAULT_YAML_LIMITS, maxFileBytes });
      const errors = result.errors;
      const counts = {
        integrations: result.set.integrations.length,
        connections: result.set.connections.length,
        environments: result.set.environments.length,
      };
      if (output === 'json') {
        io.stdout(`${JSON.stringify({ valid: errors.length === 0, problems: result.problems, counts, files: result.stats.files }, null, 2)}\n`);
      } else {
        for (const problem of result.problems) io.stdout(`${formatProblem(problem)}\n`);
        if (errors.length === 0) {
          io.stdout(`${dir}: valid: ${counts.integrations} integrations, ${counts.connections} connections, ${counts.environments} environments\n`);
        } else {
          const files = new Set(errors.map((p) => p.file)).size;
          io.stdout(`${errors.length} ${errors.length === 1 ? 'error' : 'errors'} in ${files} ${files === 1 ? 'file' : 'files'}\n`);
        }
      }
      setExit(errors.length === 0 ? EXIT.ok : EXIT.failed);
    });
}
