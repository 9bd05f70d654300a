import { watch } from 'chokidar';
import type { Logger } from '../observability/logger.ts';
import type { Trigger } from './poll-trigger.ts';

export interface WatchOptions {
  dir: string;
  /** Changes closer together than this make one enqueue (a checkout or commit touches many files). */
  debounceMs: number;
  enqueueAll: (reason: string) => unknown;
  logger: Logger;
}

/**
 * Watches a local directory (a workstation's repository): any change, in the work tree or in
 * `.git` (a commit moves a ref), enqueues every environment once the changes have settled for
 * `debounceMs`. Git's object store and lock files are left out; they change with every command.
 * Resolves once the watcher is ready, so a change made after it is not missed.
 */
export async function startWatching(options: WatchOptions): Promise<Trigger> {
  const log = options.logger.child({ trigger: 'watch', dir: options.dir });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const watcher = watch(options.dir, {
    ignoreInitial: true,
    ignored: (path) => /[\\/]\.git[\\/](objects|logs)([\\/]|$)/.test(path) || /\.lock$/.test(path) || /[\\/]node_modules([\\/]|$)/.test(path),
  });
  watcher.on('all', (event, path) => {
    if (stopped) return;
    log.debug({ event, path }, 'change');
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) options.enqueueAll('watch');
    }, options.debounceMs);
  });
  watcher.on('error', (error) => log.warn({ err: error }, 'watch error'));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  log.info({ debounceMs: options.debounceMs }, 'watching');
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
