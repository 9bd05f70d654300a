import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { LoadedObject } from '../../core/manifest.ts';
import type { Environment } from '../../generated/manifests.ts';
import { findEnvironment } from '../../load/find-environment.ts';
import { loadManifests } from '../../load/load-manifests.ts';
import { fsRepository } from '../../source/fs-repository.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { suspendEdit, unifiedDiff } from '../manifest-edit.ts';
import { envOption, examplesHelp, repoOption } from '../options.ts';
import { repositoryRoot } from '../workspace.ts';

interface Options {
  repo?: string;
  env: string;
}

const DESCRIPTIONS = {
  suspend: "print the manifest edit that suspends an environment (spec.suspend: true): Git is the truth, so the change is committed, not made here",
  resume: 'print the manifest edit that resumes a suspended environment: Git is the truth, so the change is committed, not made here',
} as const;

/**
 * `intctl suspend|resume --env <name>`: the change to make in Git, as a patch on standard output
 * (`| git apply`), with where and why on standard error. Nothing is changed: a suspension that
 * lived only in the controller would be undone by the next reconcile of the commit, or hidden from
 * reviewers. A suspended environment is neither planned nor applied by the controller or by apply.
 */
export function registerSuspendResume(program: Command, io: CliIo, setExit: (code: number) => void): void {
  for (const mode of ['suspend', 'resume'] as const) {
    program
      .command(mode)
      .description(DESCRIPTIONS[mode])
      .usage('--env <name> [options]')
      .addOption(envOption())
      .addOption(repoOption())
      .addHelpText('after', examplesHelp([
        [`intctl ${mode} --env prod`, `show the patch that ${mode}s prod, and where it goes`],
        [`intctl ${mode} --env prod | git apply && git commit -am "${mode} prod"`, 'make the change, then push it or open a pull request as for any other'],
      ]))
      .addHelpText('after', exitCodeHelp({ ok: `the patch is printed, or the environment is ${mode === 'suspend' ? 'suspended' : 'not suspended'} already`, failed: 'the manifest cannot be edited on one line: what to change is printed', usage: true }))
      .action(async (options: Options) => {
        const root = await repositoryRoot(io, options.repo);
        const reader = fsRepository(root);
        const object = (await loadManifests(reader)).set.environments.find((e) => e.manifest.metadata.name === options.env);
        if (!object) {
          const found = await findEnvironment(reader, options.env);
          throw new UsageError(found.ok ? `environment ${options.env} cannot be read` : found.message);
        }
        setExit(await printEdit(io, root, object, mode));
      });
  }
}

async function printEdit(io: CliIo, root: string, object: LoadedObject<Environment>, mode: 'suspend' | 'resume'): Promise<number> {
  const name = object.manifest.metadata.name;
  const text = await readFile(join(root, object.file), 'utf8');
  const result = suspendEdit(object, text, mode === 'suspend');
  switch (result.kind) {
    case 'already':
      io.stderr(`environment ${name} is ${mode === 'suspend' ? 'suspended' : 'not suspended'} already (${object.file}:${result.line}); nothing to change\n`);
      return EXIT.ok;
    case 'by-hand':
      io.stderr(`intctl: ${result.message}\n`);
      return EXIT.failed;
    case 'edit':
      io.stdout(unifiedDiff(result.edit, text));
      io.stderr(
        mode === 'suspend'
          ? `To suspend ${name}, commit this change to ${object.file}:${result.line} (pipe it to git apply); once the controller reconciles that commit, it plans and applies nothing in ${name} until resumed.\n`
          : `To resume ${name}, commit this change to ${object.file}:${result.line} (pipe it to git apply); the controller reconciles ${name} again from that commit on.\n`,
      );
      return EXIT.ok;
  }
}
