import type { Command } from 'commander';
import type { ObservedState } from '../../core/environment-state.ts';
import { printData } from '../print-data.ts';
import { DEPENDENCY_NAMES } from '../../core/dependencies.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { deprecatedDirArgument, envOption, examplesHelp, outputOption, repoOf, repoOption, stateDirOption, type OutputFormat } from '../options.ts';
import { openEnvironment, openWorkspace, requireEnvironment } from '../workspace.ts';
import { shortCommit } from '../../reporting/format-plan.ts';

const RESOURCES = ['integrations', 'connections', 'dependencies'] as const;
type Resource = (typeof RESOURCES)[number];

interface Options {
  repo?: string;
  env: string;
  output: OutputFormat;
  stateDir?: string;
}

/** `intctl get integrations|connections|dependencies --env <name>`: what an environment holds now. */
export function registerGet(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('get')
    .description('show what an environment holds: its published integrations, connections or shared dependencies')
    .argument('<resource>', RESOURCES.join(', '))
    .usage('<resource> --env <name> [options]')
    .addArgument(deprecatedDirArgument())
    .addOption(repoOption())
    .addOption(envOption())
    .addOption(outputOption())
    .addOption(stateDirOption())
    .addHelpText('after', examplesHelp([
      ["intctl get integrations --env dev", "what dev has published"],
      ["intctl get dependencies --env prod -o yaml", "the shared dependencies prod has installed and pins, as YAML"],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: true, failed: 'the environment cannot be read (not initialized, or unreachable)', usage: true }))
    .action(async (resource: string, positional: string | undefined, options: Options) => {
      const repo = repoOf(io, positional, options.repo);
      const output = options.output;
      if (!RESOURCES.includes(resource as Resource)) throw new UsageError(`cannot get ${JSON.stringify(resource)}; use one of ${RESOURCES.join(', ')}`);
      const workspace = await openWorkspace(io, { ...options, repo });
      const environment = await requireEnvironment(workspace.reader, options.env);
      const driver = await openEnvironment(environment, workspace.config, { create: false });
      try {
        const state = await driver.observe();
        const pins = (environment.spec.dependencies ?? {}) as Record<string, string | undefined>;
        if (output === 'text') io.stdout(table(rowsOf(resource as Resource, state, pins)));
        else printData(io, output, objectsOf(resource as Resource, state, pins));
      } finally {
        await driver.close();
      }
      setExit(EXIT.ok);
    });
}

type Row = Record<string, string>;

/** What the environment holds, in the object model (camelCase, typed values): what -o json and -o yaml print. */
function objectsOf(resource: Resource, state: ObservedState, pins: Record<string, string | undefined>): unknown[] {
  switch (resource) {
    case 'integrations':
      return state.integrations.map((i) => ({
        name: i.name,
        system: i.system,
        version: i.version,
        connection: i.connection,
        commit: i.commit,
        publishedAt: i.publishedAt ?? null,
        artifactHash: i.artifactHash,
      }));
    case 'connections':
      // Only what is safe to show: sealed values and references never leave as more than their kind.
      return state.connections.map((c) => ({
        name: c.name,
        system: c.system,
        authType: c.authType,
        endpoint: c.parameters.endpoint ?? null,
        secrets: Object.fromEntries(Object.entries(c.secrets).map(([field, s]) => [field, Object.keys(s)[0] ?? null])),
        fingerprint: c.fingerprint.slice(0, 12),
      }));
    case 'dependencies':
      return DEPENDENCY_NAMES.map((name) => ({ name, installed: state.dependencies[name] ?? null, pinned: pins[name] ?? null }));
  }
}

/** The same, as the table shows it to people. */
function rowsOf(resource: Resource, state: ObservedState, pins: Record<string, string | undefined>): Row[] {
  switch (resource) {
    case 'integrations':
      return state.integrations.map((i) => ({
        NAME: i.name,
        SYSTEM: i.system,
        VERSION: i.version,
        CONNECTION: i.connection,
        COMMIT: shortCommit(i.commit),
        PUBLISHED: i.publishedAt ?? '',
        HASH: i.artifactHash,
      }));
    case 'connections':
      return state.connections.map((c) => ({
        NAME: c.name,
        SYSTEM: c.system,
        AUTH: c.authType,
        ENDPOINT: String(c.parameters.endpoint ?? ''),
        SECRETS: Object.entries(c.secrets).map(([field, s]) => `${field}:${Object.keys(s)[0]}`).join(',') || '-',
        FINGERPRINT: c.fingerprint.slice(0, 12),
      }));
    case 'dependencies':
      return DEPENDENCY_NAMES.map((name) => ({ NAME: name, INSTALLED: state.dependencies[name] ?? '-', PINNED: pins[name] ?? '-' }));
  }
}

function table(rows: Row[]): string {
  if (rows.length === 0) return 'nothing here yet\n';
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(columns), ...rows.map((r) => line(columns.map((c) => r[c]!)))].join('\n')}\n`;
}
