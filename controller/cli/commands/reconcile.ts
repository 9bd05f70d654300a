import type { Command } from 'commander';
import { readControllerClientConfig } from '../../config/read-config.ts';
import { shortCommit } from '../../reporting/format-plan.ts';
import { controllerClient, type ControllerClient, type ServedStatus } from '../controller-client.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { envOption, examplesHelp, outputOption, parseDuration, serverOptions, variablesHelp, type OutputFormat } from '../options.ts';
import { printData } from '../print-data.ts';

interface Options {
  env: string;
  server: string;
  tokenFile?: string;
  wait?: boolean;
  timeout: string;
  output: OutputFormat;
}

/** How often --wait asks the controller for the environment's status. */
const POLL_MS = 250;

/** Outcomes apply exits 0 for: applied, in step with Git, or suspended (nothing to do by choice). */
const SUCCEEDED = new Set(['Applied', 'Suspended']);

/**
 * `intctl reconcile --env <name> --server <url>`: asks a running controller to reconcile one
 * environment now, through its API (POST /api/v1/environments/{name}/reconcile, with the
 * controller's API token, `api.tokenFile`); with --wait, follows its status
 * until a reconcile that began after the request has ended, and exits as `intctl apply` would.
 */
export function registerReconcile(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const [server, tokenFile] = serverOptions();
  program
    .command('reconcile')
    .description('ask a running controller to reconcile an environment now, and wait for the outcome')
    .usage('--env <name> --server <url> [options]')
    .addOption(envOption())
    .addOption(server!.makeOptionMandatory())
    .addOption(tokenFile!)
    .option('--wait', "wait until the reconcile has ended, and exit with its outcome as intctl apply does")
    .option('--timeout <duration>', 'how long --wait waits', '5m')
    .addOption(outputOption())
    .addHelpText('after', examplesHelp([
      ['intctl reconcile --env prod --server http://intctl.example.com:8080 --token-file token', 'queue a reconcile of prod now, as a push would (token: the controller\'s API token)'],
      ['INTCTL_TOKEN=$(cat token) intctl reconcile --env dev --server http://127.0.0.1:8080 --wait --timeout 2m', 'reconcile dev and wait for the outcome, in CI'],
    ]))
    .addHelpText('after', variablesHelp([['INTCTL_TOKEN', "the controller's API token (its api.tokenFile), when --token-file is not given"]]))
    .addHelpText('after', exitCodeHelp({
      ok: 'requested; with --wait: applied, in step with Git, or suspended',
      failed: 'the controller cannot be reached or refused the token; with --wait: not applied (refused by the gate, waiting, or failed), or no outcome before --timeout',
      usage: 'usage error: an unknown option, a missing token, or an environment the controller does not know',
    }))
    .action(async (options: Options) => {
      const timeoutMs = parseDuration(options.timeout, '--timeout');
      const config = await readControllerClientConfig({ server: options.server, ...(options.tokenFile !== undefined ? { tokenFile: options.tokenFile } : {}) }, undefined, io.cwd);
      if (config.token === undefined) throw new UsageError("the controller's API token (its api.tokenFile) is needed: give --token-file <path>, or set INTCTL_TOKEN");
      const client = controllerClient(config);
      const before = options.wait ? (await client.statuses()).find((s) => s.name === options.env) : undefined;
      const requested = await client.requestReconcile(options.env);
      if (requested.unknown.includes(options.env)) throw new UsageError(`environment ${options.env} is not known to the controller at ${config.url}`);
      if (!options.wait) {
        if (options.output === 'text') io.stdout(`reconcile of ${options.env} requested from ${config.url}\n`);
        else printData(io, options.output, { environment: options.env, requested: true });
        setExit(EXIT.ok);
        return;
      }
      const after = await waitForReconcile(client, options.env, before?.lastReconcileTime, requested.at, timeoutMs);
      if (after === undefined) {
        io.stderr(`intctl: ${options.env}: no reconcile ended within ${options.timeout} of the request; it stays queued at the controller\n`);
        setExit(EXIT.failed);
        return;
      }
      const ready = after.conditions.find((c) => c.type === 'Ready');
      if (options.output === 'text') {
        const at = after.observedCommit === undefined ? '' : ` at ${shortCommit(after.observedCommit)}`;
        io.stdout(`${options.env}: ${after.outcome}${ready ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ''})` : ''}${at}\n`);
      } else {
        printData(io, options.output, { environment: options.env, requested: true, status: after });
      }
      setExit(SUCCEEDED.has(after.outcome) ? EXIT.ok : EXIT.failed);
    });
}

/**
 * The environment's status once a reconcile that began after the request has ended: its
 * lastReconcileTime differs from the one before the request and is not older than the
 * controller's own clock at the request (the Date header, to the second, so the two clocks need
 * not agree). Undefined when the timeout passes first.
 */
async function waitForReconcile(client: ControllerClient, environment: string, before: string | undefined, requestedAt: number | undefined, timeoutMs: number): Promise<ServedStatus | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = (await client.statuses()).find((s) => s.name === environment);
    if (status && status.lastReconcileTime !== before && (requestedAt === undefined || Date.parse(status.lastReconcileTime) >= requestedAt)) return status;
    const left = deadline - performance.now();
    if (left <= 0) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
  }
}
