import type { Command } from 'commander';
import { readControllerClientConfig } from '../../config/read-config.ts';
import { printStyled } from '../color.ts';
import { controllerClient } from '../controller-client.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { examplesHelp, noCacheOption, outputOption, parseDuration, refOption, repoOption, serverOptions, stateDirOption, variablesHelp, type OutputFormat } from '../options.ts';
import { formatData } from '../print-data.ts';
import { controllerStatus } from '../status/controller-status.ts';
import { renderStatus, statusLineStyle } from '../status/render-status.ts';
import { repositoryStatus } from '../status/repository-status.ts';
import type { StatusView } from '../status/status-view.ts';
import { watchUntilSignal } from '../watch.ts';
import { openWorkspace } from '../workspace.ts';

interface Options {
  repo?: string;
  ref?: string;
  stateDir?: string;
  cache: boolean;
  server?: string;
  tokenFile?: string;
  output: OutputFormat;
  watch?: boolean;
  interval: string;
}

/** `intctl status`: every environment in promotion order, from the repository or from a running controller. */
export function registerStatus(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('status')
    .description('show every environment in promotion order: conditions, the commit it is at, pending actions and approvals')
    .usage('[--repo <dir> | --server <url>] [options]')
    .addOption(repoOption())
    .addOption(refOption())
    .addOption(stateDirOption())
    .addOption(noCacheOption())
    .addOption(serverOptions()[0]!)
    .addOption(serverOptions()[1]!)
    .addOption(outputOption())
    .option('-w, --watch', 'refresh until interrupted (Ctrl-C): in place on a terminal, else a new listing each time it changes')
    .option('--interval <duration>', 'how often --watch refreshes', '5s')
    .addHelpText('after', examplesHelp([
      ['intctl status', 'every environment of the repository the current directory is in, planned against its store'],
      ['intctl status --server http://intctl.example.com:8080 -o yaml', "what a running controller reports, as YAML"],
      ['intctl status --watch --interval 2s', 'keep it on screen, refreshed every two seconds'],
    ]))
    .addHelpText('after', variablesHelp([
      ['INTCTL_TOKEN', "the controller's API token sent to --server (needed when its api.readAccess is token), when --token-file is not given"],
      ['INTCTL_STATE_DIR', 'where embedded environments keep their files (as --state-dir)'],
      ['NO_COLOR', 'no colour, as --no-color'],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: 'the status was shown', failed: 'the repository or the controller cannot be read', usage: true }))
    .action(async (options: Options) => {
      const interval = parseDuration(options.interval, '--interval');
      if (options.server !== undefined && (options.repo !== undefined || options.ref !== undefined || options.stateDir !== undefined)) {
        throw new UsageError('--server reads a running controller: --repo, --ref and --state-dir are for reading the repository instead; give one or the other');
      }
      const read = await statusReader(io, options);
      const render = (view: StatusView): string => (options.output === 'text' ? renderStatus(view) : formatData(options.output, view));
      if (!options.watch) {
        const view = await read();
        if (options.output === 'text') printStyled(io, render(view), statusLineStyle(view));
        else io.stdout(render(view));
        setExit(EXIT.ok);
        return;
      }
      await watchUntilSignal(io, interval, async () => {
        try {
          const view = await read();
          return { text: render(view), style: options.output === 'text' ? statusLineStyle(view) : () => undefined };
        } catch (error) {
          return { text: `intctl: ${(error as Error).message}\n`, style: () => undefined };
        }
      });
      setExit(EXIT.ok);
    });
}

/** How the status is read: from the controller given, else from the repository. Mistakes in either are found before the first read. */
async function statusReader(io: CliIo, options: Options): Promise<() => Promise<StatusView>> {
  if (options.server !== undefined) {
    const config = await readControllerClientConfig({ server: options.server, ...(options.tokenFile !== undefined ? { tokenFile: options.tokenFile } : {}) }, undefined, io.cwd);
    const client = controllerClient(config);
    return () => controllerStatus(client, config.url);
  }
  const first = await openWorkspace(io, options);
  let workspace: typeof first | undefined = first;
  return async () => {
    // Each refresh reads the repository again: a commit or an edit since shows.
    const current = workspace ?? (await openWorkspace(io, options));
    workspace = undefined;
    return repositoryStatus(current, options.repo ?? '.', { cache: options.cache });
  };
}
