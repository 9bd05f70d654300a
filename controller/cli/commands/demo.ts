import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readConfig } from '../../config/read-config.ts';
import { runDemo } from '../../demo/run-demo.ts';
import { EXIT, type CliIo } from '../io.ts';

/** `intctl demo`: what `npm start` runs. Offline, on a throwaway copy of the examples. */
export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('reconcile the example repository into embedded environments, on a throwaway copy')
    .argument('[examples]', 'the example repository', resolve(import.meta.dirname, '..', '..', '..', 'examples'))
    .action(async (examples: string) => {
      await runDemo({ examples: resolve(io.cwd, examples), config: readConfig(undefined, io.cwd), write: io.stdout });
      setExit(EXIT.ok);
    });
}
