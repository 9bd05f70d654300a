import type { Command } from 'commander';
import type { AppliedAction } from '../../environments/driver.ts';
import { messageOf } from '../../core/errors.ts';
import { shortCommit } from '../../reporting/format-plan.ts';
import { groupApplies, type AppliedPlan } from '../history/group-applies.ts';
import { readStatusHistory, type StatusCommit } from '../history/read-status-history.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { envOption, examplesHelp, outputOption, repoOption, stateDirOption, type OutputFormat } from '../options.ts';
import { printData } from '../print-data.ts';
import { openEnvironment, openWorkspace, repositoryRoot, requireEnvironment } from '../workspace.ts';

interface Options {
  repo?: string;
  env: string;
  stateDir?: string;
  statusBranch: string;
  limit: string;
  output: OutputFormat;
}

/** What `intctl history` prints with -o json and -o yaml. */
interface History {
  environment: string;
  /** Newest first, from the environment's action log. */
  applies: AppliedPlan[];
  /** Newest first, from `status/<environment>.yaml` on the status branch. */
  statusBranch: { branch: string; ref?: string; commits: StatusCommit[] };
  /** What could not be read, and how to make it readable. */
  notes: string[];
}

/** `intctl history --env <name>`: what was applied to an environment, when, at which commit, by which trigger. */
export function registerHistory(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('history')
    .description("show what was applied to an environment, when, at which commit and by which trigger, from its action log and the status branch")
    .usage('--env <name> [options]')
    .addOption(envOption())
    .addOption(repoOption())
    .addOption(stateDirOption())
    .option('--status-branch <branch>', "the branch the controller writes status commits to (the controller's statusBranch); its remote-tracking branch on origin is read when it is not a local branch", 'intctl/status')
    .option('--limit <n>', 'how many applies and status commits to show, newest first', '20')
    .addOption(outputOption())
    .addHelpText('after', examplesHelp([
      ['intctl history --env prod', 'the applies and status changes of prod, newest first'],
      ['git fetch origin intctl/status && intctl history --env prod -o json', "with the controller's latest status commits, for a script"],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: true, usage: true }))
    .action(async (options: Options) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit must be a positive whole number, not ${JSON.stringify(options.limit)}`);
      const workspace = await openWorkspace(io, options);
      const environment = await requireEnvironment(workspace.reader, options.env);
      const root = await repositoryRoot(io, options.repo);
      const notes: string[] = [];
      const status = await readStatusHistory(root, options.statusBranch, options.env, limit);
      if (status.ref === undefined) notes.push(`no status branch ${options.statusBranch} in ${options.repo ?? 'the repository'} (git fetch origin ${options.statusBranch} brings the controller's)`);
      let log: AppliedAction[] = [];
      try {
        const driver = await openEnvironment(environment, workspace.config, { create: false });
        try {
          log = await driver.actionLog();
        } finally {
          await driver.close();
        }
      } catch (error) {
        if (error instanceof UsageError) throw error;
        notes.push(`the action log of ${options.env} cannot be read: ${messageOf(error)}`);
      }
      const history: History = {
        environment: options.env,
        applies: groupApplies(log, status.commits).slice(0, limit),
        statusBranch: { branch: options.statusBranch, ...(status.ref !== undefined ? { ref: status.ref } : {}), commits: status.commits },
        notes,
      };
      if (options.output === 'text') io.stdout(renderHistory(history));
      else printData(io, options.output, history);
      setExit(EXIT.ok);
    });
}

function renderHistory(history: History): string {
  let out = `Applied to ${history.environment} (action log), newest first:\n`;
  out += history.applies.length === 0 ? '  nothing applied yet\n' : table(['APPLIED', 'COMMIT', 'TRIGGER', 'ACTIONS'], history.applies.map((a) => [a.finishedAt, shortCommit(a.commit), a.trigger, actionsOf(a)]));
  out += `\nStatus of ${history.environment} (${history.statusBranch.ref ?? history.statusBranch.branch}), newest first:\n`;
  out += history.statusBranch.commits.length === 0
    ? '  no status commits\n'
    : table(['TIME', 'STATUS COMMIT', 'OBSERVED', 'READY', 'REASON'], history.statusBranch.commits.map((c) => [c.at, c.commit.slice(0, 7), shortCommit(c.observedCommit), c.ready?.status ?? '-', c.ready?.reason ?? '-']));
  for (const note of history.notes) out += `\nnote: ${note}\n`;
  return out;
}

function actionsOf(apply: AppliedPlan): string {
  const shown = apply.actions.slice(0, 4).map((a) => `${a.type} ${a.target}`);
  const more = apply.actions.length > shown.length ? `, and ${apply.actions.length - shown.length} more` : '';
  return `${apply.actions.length}: ${shown.join(', ')}${more}`;
}

function table(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `  ${cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return `${[line(columns), ...rows.map(line)].join('\n')}\n`;
}
