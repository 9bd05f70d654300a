import type { Command } from 'commander';
import type { GateDecision } from '../../core/gate.ts';
import { formatProblem, type Problem } from '../../core/problem.ts';
import { loadAndValidate } from '../../load/load-and-validate.ts';
import { openDiskManifestCache } from '../../load/disk-manifest-cache.ts';
import type { EnvironmentContext } from '../../reconcilers/environment/environment-context.ts';
import { createEnvironmentRunner, type RunResult } from '../../reconcilers/environment/environment-runner.ts';
import type { ReconcileReport } from '../../reconcilers/environment/reconcile-environment.ts';
import { UnknownEnvironmentError } from '../../reconcilers/environment/unknown-environment-error.ts';
import { findEnvironment } from '../../load/find-environment.ts';
import { actionRow, formatPlan } from '../../reporting/format-plan.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { deprecatedDirArgument, envOption, examplesHelp, noCacheOption, outputOption, progressOption, refOption, repoOf, repoOption, stateDirOption, type OutputFormat } from '../options.ts';
import { generationProgress, type GenerationProgress } from '../progress.ts';
import { printStyled, type LineStyle } from '../color.ts';
import { printData } from '../print-data.ts';
import type { Plan } from '../../core/plan.ts';
import { describeAction } from '../../core/describe-action.ts';
import { cliArtifactCache, openEnvironment, openWorkspace, type Workspace } from '../workspace.ts';

interface Options {
  repo?: string;
  env: string;
  output: OutputFormat;
  ref?: string;
  stateDir?: string;
  /** False with --no-cache. */
  cache: boolean;
  progress?: boolean;
}

const EXAMPLES = {
  plan: examplesHelp([
    ['intctl plan --env dev', 'what applying would do to dev, from the work tree as it is'],
    ['intctl plan --env prod --ref origin/main -o json', 'the plan of a commit, for a script (exit 2 when there are changes)'],
  ]),
  apply: examplesHelp([
    ['intctl apply --env dev', 'apply the work tree to dev, action by action'],
    ['intctl apply --env test --ref v1.4.0', 'apply a tagged commit to test'],
  ]),
};

const EXIT_HELP = {
  plan: exitCodeHelp({ ok: 'nothing to change', failed: true, changes: 'there are changes to apply (or the plan is blocked by policy)', usage: true }),
  apply: exitCodeHelp({ ok: 'applied, or already in step with Git', failed: 'not applied: refused by the gate, waiting, or failed', usage: true }),
};

/** `intctl plan` and `intctl apply`: one reconcile of one environment, stopping after the plan or going through the gate. */
export function registerPlanApply(program: Command, io: CliIo, setExit: (code: number) => void): void {
  for (const mode of ['plan', 'apply'] as const) {
    program
      .command(mode)
      .description(mode === 'plan' ? 'show what applying would do to an environment' : 'apply the plan to an environment, action by action under its lease')
      .usage('--env <name> [options]')
      .addArgument(deprecatedDirArgument())
      .addOption(repoOption())
      .addOption(envOption())
      .addOption(outputOption())
      .addOption(refOption())
      .addOption(stateDirOption())
      .addOption(noCacheOption())
      .addOption(progressOption())
      .addHelpText('after', EXAMPLES[mode])
      .addHelpText('after', EXIT_HELP[mode])
      .action(async (positional: string | undefined, options: Options) => {
        const repo = repoOf(io, positional, options.repo);
        const output = options.output;
        const workspace = await openWorkspace(io, { ...options, repo });
        const progress = output === 'text' ? generationProgress(io, options.progress === true) : undefined;
        const { report, finalized } = await run(mode, options.env, workspace, io, output === 'text', { cache: options.cache, ...(progress ? { progress } : {}) });
        if (output === 'text') printReport(mode, report, workspace.commit, io);
        else printData(io, output, toJson(report));
        setExit(exitCode(mode, report, finalized.succeeded));
      });
  }
}

/** One reconcile through the environment runner: the manifests of the workspace, its drivers, no approvals. */
async function run(mode: 'plan' | 'apply', environment: string, workspace: Workspace, io: CliIo, progress: boolean, generation: { cache: boolean; progress?: GenerationProgress }): Promise<RunResult> {
  // A store Git could commit is the caller's mistake (exit 64), not a failed reconcile: kept to be thrown after it.
  let refused: UsageError | undefined;
  // What each manifest file made, kept in the cache directory: the next plan parses only what changed.
  const contents = generation.cache ? openDiskManifestCache(workspace.config.cacheDir) : undefined;
  const runner = createEnvironmentRunner({
    // Selections are checked once the environment is observed: not those of what it holds already.
    load: async () => {
      const loaded = await loadAndValidate(workspace.reader, undefined, { deferSelections: true, ...(contents ? { contents } : {}) });
      return { commit: workspace.commit, reader: workspace.reader, ...loaded, ...(contents ? { identities: contents.identities } : {}) };
    },
    openDriver: (env) =>
      openEnvironment(env.manifest, workspace.config).catch((error: unknown) => {
        if (error instanceof UsageError) refused = error;
        throw error;
      }),
    trigger: 'manual',
    holder: workspace.config.holder,
    leaseTtlMs: workspace.config.leaseTtlMs,
    artifactCache: cliArtifactCache(workspace.config, generation.cache),
    ...(generation.progress ? { onGenerate: generation.progress } : {}),
  });
  const onAction: EnvironmentContext['onAction'] = (action, outcome, index, total) => {
    const [what, target, why] = actionRow(action);
    io.stdout(`  [${index + 1}/${total}] ${what} ${target} (${why})${outcome === 'already-applied' ? ': already applied' : ': done'}\n`);
  };
  try {
    const result = await runner.reconcile(environment, mode, progress && mode === 'apply' ? onAction : undefined);
    if (refused) throw refused;
    return result;
  } catch (error) {
    if (error instanceof UnknownEnvironmentError) {
      // The message every command gives for an unknown environment, with the manifests' problems when they may be why.
      const found = await findEnvironment(workspace.reader, environment);
      throw new UsageError(found.ok ? error.message : found.message);
    }
    throw error;
  } finally {
    // What the manifest files made and the content hashes found, for the next run: one write, whatever the outcome.
    await contents?.save();
  }
}

function printReport(mode: 'plan' | 'apply', report: ReconcileReport, commit: string, io: CliIo): void {
  for (const problem of report.problems) io.stdout(`${formatProblem(problem)}\n`);
  for (const warning of specificationWarnings(report)) io.stdout(`${formatProblem(warning)}\n`);
  if (report.plan && (mode === 'plan' || !report.apply)) printStyled(io, formatPlan(report.plan, commit), planLineStyle(report.plan));
  const outcome = report.outcome;
  switch (outcome.kind) {
    case 'Planned':
      if (report.decision) io.stdout(gateLine(report.environment, report.decision));
      break;
    case 'Applied':
      if (mode === 'apply') io.stdout(outcome.applied === 0 ? `environment ${report.environment} is in step with Git.\n` : `Applied ${outcome.applied} ${outcome.applied === 1 ? 'action' : 'actions'} to ${report.environment}.\n`);
      break;
    case 'Waiting':
      if (mode === 'apply') io.stdout(`Not applied (${outcome.reason}): ${outcome.message}\n`);
      break;
    case 'Suspended':
      io.stdout(`environment ${report.environment} is suspended; nothing planned or applied.\n`);
      break;
    case 'Blocked':
      if (mode === 'apply') io.stdout(`Not applied (${outcome.reason}).\n`);
      break;
    default:
      io.stderr(`intctl: ${report.environment}: ${outcome.message} (${outcome.kind})\n`);
  }
}

/**
 * The warnings of the specifications this environment's integrations are generated from (a
 * fault outside the selection), and of this environment's connection certificates (expiring
 * within 30 days): shown with the plan, as validate shows them, and not blocking.
 */
function specificationWarnings(report: ReconcileReport): Problem[] {
  const here = new Set(report.loaded?.set.integrations.filter((i) => i.head.spec.environments.includes(report.environment)).map((i) => i.head.metadata.name));
  const connectionField = `spec.environments.${report.environment}.`;
  return (report.loaded?.problems ?? []).filter(
    (p) =>
      p.severity === 'warning' &&
      ((SPECIFICATION_WARNINGS.has(p.reason) && p.object?.kind === 'Integration' && here.has(p.object.name)) ||
        (p.reason === 'CertificateExpiresSoon' && p.object?.kind === 'Connection' && p.field?.startsWith(connectionField) === true)),
  );
}

const SPECIFICATION_WARNINGS = new Set<Problem['reason']>(['SpecificationFaultOutsideSelection', 'NullSchema']);

/**
 * The colour of each line of formatPlan's text: the rows of breaking and destructive actions, and
 * the breaking interface changes listed under them. Lines come in order: the table's rows follow
 * its header line, one per action.
 */
function planLineStyle(plan: Plan): (line: string) => LineStyle | undefined {
  let row = -1;
  let section = '';
  return (line) => {
    if (!line.startsWith(' ')) {
      section = line;
      row = -1;
      return line.startsWith('Blocked (') ? 'breaking' : undefined;
    }
    if (line.startsWith('  ACTION ')) {
      row = 0;
      return undefined;
    }
    if (section === 'Breaking interface changes:') return 'breaking';
    if (row < 0) return undefined;
    const action = plan.actions[row++];
    if (!action) return undefined;
    const { breaking, destructive } = describeAction(action);
    return breaking ? 'breaking' : destructive ? 'destructive' : undefined;
  };
}

/** What the gate would say to applying the plan now: every plan says whether, and why not. */
function gateLine(environment: string, decision: GateDecision): string {
  if (decision.reason === 'NothingToDo') return '';
  if (decision.allowed) return `\nGate: intctl apply --env ${environment} would apply it now.\n`;
  return `\nGate: applying waits (${decision.reason}): ${decision.message}\n`;
}

/** From finalize: a reconcile that did what it was asked exits 0, or 2 for a plan with changes (a blocked one too). */
function exitCode(mode: 'plan' | 'apply', report: ReconcileReport, succeeded: boolean): number {
  const pending = report.plan?.actions.length ?? 0;
  if (mode === 'plan' && (succeeded || report.outcome.kind === 'Blocked')) return pending === 0 ? EXIT.ok : EXIT.changes;
  return succeeded ? EXIT.ok : EXIT.failed;
}

/** The report as machines read it; catalogs are left out of actions to keep it short. */
function toJson(report: ReconcileReport): unknown {
  const actions = report.plan?.actions.map((a) => (a.type === 'Publish' ? { ...a, integration: { ...a.integration, catalog: undefined } } : a));
  return {
    environment: report.environment,
    commit: report.commit,
    outcome: report.outcome,
    problems: report.problems,
    ...(report.plan ? { plan: { ...report.plan, actions } } : {}),
    ...(report.decision ? { decision: report.decision } : {}),
    ...(report.apply ? { apply: report.apply.status === 'Failed' ? { ...report.apply, failedAction: report.apply.failedAction.id } : report.apply } : {}),
  };
}
