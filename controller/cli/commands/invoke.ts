import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openEmbeddedEnvironment } from '../../environments/embedded/open-embedded-environment.ts';
import { HttpEnvironment } from '../../environments/http/http-environment.ts';
import type { Environment } from '../../generated/manifests.ts';
import { embeddedStorePath } from '../../environments/open-driver.ts';
import { createActionRuntime, type ActionResult } from '../../action-runtime/action-runtime.ts';
import { actionFailure, type ActionErrorBody } from '../../action-runtime/action-failure.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { envOption, examplesHelp, repoOption, stateDirOption } from '../options.ts';
import { checkStoreLocation } from '../check-store-location.ts';
import { openEnvironment, openWorkspace, requireEnvironment, type WorkspaceConfig } from '../workspace.ts';

interface Options {
  env: string;
  input: string;
  repo?: string;
  stateDir?: string;
}

/**
 * `intctl invoke --env <name> <integration> <action> --input '{...}'`: runs a published action,
 * as an application would. For an http environment the environment server runs it (with the
 * environment's token); for an embedded one it runs here, over the environment's file, opening
 * its secrets with the environment's own key. Prints the output as JSON; a failure prints its
 * reason, message and what the external system answered, and exits 1.
 */
export function registerInvoke(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('invoke')
    .description('run an action of an integration published in an environment, and print its output as JSON')
    .argument('<integration>', 'the published integration')
    .argument('<action>', 'the action, as its catalog names it (GetBook, SearchBooks, ...)')
    .addOption(envOption())
    .option('--input <json>', "the action's input as JSON, or @file to read it from a file", '{}')
    .addOption(repoOption())
    .addOption(stateDirOption())
    .addHelpText('after', examplesHelp([
      ["intctl invoke --env dev sales-orders GetA_SalesOrder --input '{\"SalesOrder\":\"1\"}'", "run one action in dev and print its output"],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: 'the action ran; its output is printed', failed: 'the action failed; its reason and what the system answered are printed', usage: true }))
    .action(async (integration: string, action: string, options: Options) => {
      const input = await parseInput(options.input, io.cwd);
      const workspace = await openWorkspace(io, options);
      const environment = await requireEnvironment(workspace.reader, options.env);
      const result = await run(environment, workspace.config, integration, action, input);
      if (result.ok) {
        io.stdout(`${JSON.stringify(result.output, null, 2)}\n`);
        setExit(EXIT.ok);
        return;
      }
      io.stderr(describeFailure(result.body));
      setExit(EXIT.failed);
    });
}

async function run(environment: Environment, config: WorkspaceConfig, integration: string, action: string, input: unknown): Promise<ActionResult> {
  if (environment.spec.driver === 'embedded') {
    await checkStoreLocation(environment, config);
    const store = await openEmbeddedEnvironment(embeddedStorePath(environment, config.stateDir), { name: environment.metadata.name, create: false });
    try {
      const runtime = createActionRuntime({ source: store, variables: config.env ?? {} });
      try {
        return await runtime.invoke(integration, action, input);
      } finally {
        await runtime.close?.();
      }
    } finally {
      await store.close();
    }
  }
  const driver = await openEnvironment(environment, config);
  if (!(driver instanceof HttpEnvironment)) throw new UsageError(`environment ${environment.metadata.name}: driver ${environment.spec.driver} cannot run actions`);
  const answer = await driver.invoke(integration, action, input);
  const body = answer.body as { output?: unknown; pages?: number } | ActionErrorBody | undefined;
  if (answer.status === 200 && body && 'output' in body) return { ok: true, output: body.output, pages: body.pages ?? 1 };
  if (body && 'reason' in body) return { ok: false, status: answer.status, body };
  const said = (body as { message?: string } | undefined)?.message;
  return actionFailure('EnvironmentUnavailable', `the environment server answered ${answer.status}${said ? `: ${said}` : ''}`);
}

async function parseInput(text: string, cwd: string): Promise<unknown> {
  const source = text.startsWith('@') ? await readFile(resolve(cwd, text.slice(1)), 'utf8').catch(() => {
    throw new UsageError(`--input ${text}: the file cannot be read`);
  }) : text;
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw new UsageError(`--input must be JSON: ${(error as Error).message}`);
  }
}

function describeFailure(body: ActionErrorBody): string {
  const lines = [`intctl: action failed: ${body.reason}: ${body.message}`];
  for (const d of body.details ?? []) lines.push(`  at ${d.path}: ${d.message}`);
  if (body.upstream) lines.push(`  the system answered ${body.upstream.status}${body.upstream.code ? ` ${body.upstream.code}` : ''}${body.upstream.message ? `: ${body.upstream.message}` : ''}`);
  return `${lines.join('\n')}\n`;
}
