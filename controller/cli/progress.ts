import type { CliIo } from './io.ts';

/** Work shorter than this shows no progress at all. */
const QUIET_MS = 1000;
/** A terminal's line is redrawn at most this often; a log gets a line at most this often. */
const TTY_EVERY_MS = 100;
const LOG_EVERY_MS = 5000;

/** Reports `done` of `total` for one environment's generation. */
export type GenerationProgress = (environment: string, done: number, total: number) => void;

/**
 * Progress of generation on stderr, for work longer than a second: `intctl: dev: generating
 * 120/1,000 integrations…`, redrawn in place on a terminal, a line every few seconds otherwise.
 * Undefined (no progress) unless stderr is a terminal or `forced` (`--progress`); stdout, where
 * text and JSON results go, is never written.
 */
export function generationProgress(io: CliIo, forced: boolean): GenerationProgress | undefined {
  if (!forced && !io.stderrIsTTY) return undefined;
  const clock = io.clock ?? (() => performance.now());
  const tty = io.stderrIsTTY === true;
  const count = new Intl.NumberFormat('en-US');
  let started: { environment: string; at: number } | undefined;
  let shownAt: number | undefined;
  return (environment, done, total) => {
    const now = clock();
    if (started?.environment !== environment || done === 1) started = { environment, at: now };
    const finished = done === total;
    if (shownAt === undefined && (now - started.at < QUIET_MS || finished)) return;
    if (!finished && shownAt !== undefined && now - shownAt < (tty ? TTY_EVERY_MS : LOG_EVERY_MS)) return;
    shownAt = finished ? undefined : now;
    const line = `intctl: ${environment}: generating ${count.format(done)}/${count.format(total)} integrations${finished ? ', done' : '…'}`;
    io.stderr(tty ? `\r\x1b[K${line}${finished ? '\n' : ''}` : `${line}\n`);
  };
}

/** A specification this large takes longer than a second to generate from: its start and end are shown. */
export const LARGE_SPECIFICATION_BYTES = 1024 * 1024;

/** Lines around the generation of one integration from a large specification. */
export interface SpecificationProgress {
  start(integration: string, path: string, bytes: number): void;
  end(): void;
}

/**
 * Progress of `intctl generate` on stderr: for a specification of 1 MiB or more, a line when its
 * generation starts (`intctl: sales-orders: generating from specs/API.edmx (13.2 MB)…`) and one
 * with the time it took; nothing for a small one. Undefined unless stderr is a terminal or
 * `forced` (`--progress`), as for generationProgress.
 */
export function specificationProgress(io: CliIo, forced: boolean): SpecificationProgress | undefined {
  if (!forced && !io.stderrIsTTY) return undefined;
  const clock = io.clock ?? (() => performance.now());
  let started: { integration: string; at: number } | undefined;
  return {
    start(integration, path, bytes) {
      started = undefined;
      if (bytes < LARGE_SPECIFICATION_BYTES) return;
      started = { integration, at: clock() };
      io.stderr(`intctl: ${integration}: generating from ${path} (${(bytes / 1_000_000).toFixed(1)} MB)…\n`);
    },
    end() {
      if (!started) return;
      io.stderr(`intctl: ${started.integration}: generated in ${((clock() - started.at) / 1000).toFixed(1)}s\n`);
      started = undefined;
    },
  };
}
