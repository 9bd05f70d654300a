/**
 * For tests that run the whole controller (startController builds its own GitHub client): the
 * client module with `createGithubClient` leaving `WRITE_INTERVAL_MS` between writes instead of
 * GitHub's second. The same waits, scaled down, never skipped. A test file hands it to vi.mock:
 *
 *     vi.mock('../../controller/reporting/github/github-client.ts', async (importOriginal) =>
 *       (await import('../support/github/write-interval.ts')).withShortWriteInterval(await importOriginal()));
 */
import type * as GithubClientModule from '../../../controller/reporting/github/github-client.ts';

export const WRITE_INTERVAL_MS = 25;

export function withShortWriteInterval(original: unknown): typeof GithubClientModule {
  const module = original as typeof GithubClientModule;
  return { ...module, createGithubClient: (options) => module.createGithubClient({ writeIntervalMs: WRITE_INTERVAL_MS, ...options }) };
}
