import type { Command } from 'commander';
import { packagePath } from '../../config/package-root.ts';
import { readConfig } from '../../config/read-config.ts';
import { runDemo } from '../../demo/run-demo.ts';
import { serveDemoDashboard } from '../../demo/serve-demo-dashboard.ts';
import { EXIT, exitCodeHelp, type CliIo } from '../io.ts';
import { deprecatedDirArgument, examplesHelp, repoOf, repoOption } from '../options.ts';
import { repositoryRoot } from '../workspace.ts';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * `intctl demo`: what `npm start` runs. Offline, on a throwaway copy of the examples. In a
 * terminal (or with --serve) it ends by serving the dashboard over the demo's environments until
 * Ctrl-C; piped, as tests and CI run it, it ends after the reconciles (or with --no-serve).
 */
export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('reconcile the example repository into embedded environments, on a throwaway copy')
    .usage('[options]')
    .addArgument(deprecatedDirArgument())
    .addOption(repoOption("the repository to copy (default: intctl's examples/)"))
    .option('--serve', 'end by serving the dashboard until Ctrl-C (the default when stdout is a terminal)')
    .option('--no-serve', 'end after the reconciles, even in a terminal')
    .option('--port <n>', 'the loopback port of the dashboard (default: any free port)', '0')
    .addHelpText('after', examplesHelp([
      ['intctl demo', 'reconcile examples/ into throwaway embedded environments (and serve the dashboard in a terminal)'],
      ['intctl demo --no-serve', 'the same, ending after the reconciles'],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: 'the demo ran to its end (or was stopped with Ctrl-C while serving)', failed: true, usage: true }))
    .action(async (positional: string | undefined, options: { repo?: string; serve?: boolean; port: string }) => {
      const given = positional !== undefined || options.repo !== undefined;
      const examples = given ? await repositoryRoot(io, repoOf(io, positional, options.repo)) : packagePath('examples');
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        io.stderr(`intctl: --port must be a port number from 0 to 65535, not ${JSON.stringify(options.port)}\n(run intctl demo --help for usage)\n`);
        setExit(EXIT.usage);
        return;
      }
      const { repo, stateDir } = await runDemo({ examples, config: readConfig(undefined, io.cwd), write: io.stdout });
      if (options.serve ?? io.stdoutIsTTY === true) await serve(io, repo, stateDir, port);
      setExit(EXIT.ok);
    });
}

async function serve(io: CliIo, repo: string, stateDir: string, port: number): Promise<void> {
  const signalled = new Promise<void>((resolve) => {
    for (const name of SIGNALS) process.once(name, () => resolve());
  });
  const { running, tokenFile } = await serveDemoDashboard({ repo, stateDir, port });
  io.stdout(`\nThe dashboard of these environments: ${running.url}/\n`);
  io.stdout(`  It follows ${repo}: commit there and watch it update.\n`);
  if (tokenFile) io.stdout(`  "Reconcile now" asks for the API token in ${tokenFile}\n`);
  io.stdout('  Ctrl-C stops it.\n');
  await signalled;
  await running.stop();
}
