import { printStyled, type LineStyle } from './color.ts';
import type { CliIo } from './io.ts';

/** One refresh of a watched listing: its text and the colour of its lines. */
export interface WatchFrame {
  text: string;
  style: (line: string, index: number) => LineStyle | undefined;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** Cursor to the top left, then clear the screen: the frame is redrawn in place, as watch(1) does. */
const REDRAW = '\u001b[H\u001b[2J';

/**
 * Shows a frame, then a new one every interval, until SIGINT or SIGTERM (or `stop`, for callers
 * that end it themselves). On a terminal each frame replaces the last in place; elsewhere (a pipe,
 * a file) a frame is printed only when it differs from the last, after a blank line, so a log of
 * it reads as a list of changes. A refresh starts only once the previous one has been shown.
 */
export async function watchUntilSignal(io: CliIo, intervalMs: number, frame: () => Promise<WatchFrame>, stop?: Promise<void>): Promise<void> {
  let stopped = false;
  let wake: (() => void) | undefined;
  const onSignal = (): void => {
    stopped = true;
    wake?.();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  void stop?.then(onSignal);
  try {
    let last: string | undefined;
    while (!stopped) {
      const next = await frame();
      if (stopped) break;
      if (io.terminal) {
        io.terminal.write(REDRAW);
        printStyled(io, next.text, next.style);
      } else if (next.text !== last) {
        if (last !== undefined) io.stdout('\n');
        printStyled(io, next.text, next.style);
      }
      last = next.text;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  }
}
