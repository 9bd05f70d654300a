import type { Command } from 'commander';
import { packagePath } from '../../config/package-root.ts';
import { readConfig } from '../../config/read-config.ts';
import { runDemo } from '../../demo/run-demo.ts';
import { EXIT, exitCodeHelp, type CliIo } from '../io.ts';
import { deprecatedDirArgument, examplesHelp, repoOf, repoOption } from '../options.ts';
import { repositoryRoot } from '../workspace.ts';


/** `intctl demo`: what `npm start` runs. Offline, on a throwaway copy of the examples. */
export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('reconcile the example repository into embedded environments, on a throwaway copy')
    .usage('[options]')
    .addArgument(deprecatedDirArgument())
    .addOption(repoOption("the repository to copy (default: intctl's examples/)"))
    .addHelpText('after', examplesHelp([
      ["intctl demo", "reconcile examples/ into throwaway embedded environments"],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: 'the demo ran to its end', failed: true, usage: true }))
    .action(async (positional: string | undefined, options: { repo?: string }) => {
      const given = positional !== undefined || options.repo !== undefined;
      const examples = given ? await repositoryRoot(io, repoOf(io, positional, options.repo)) : packagePath('examples');
      await runDemo({ examples, config: readConfig(undefined, io.cwd), write: io.stdout });
      setExit(EXIT.ok);
    });
}
