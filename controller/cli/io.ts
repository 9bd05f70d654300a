import { printable } from '../core/printable.ts';
import { readTerminalConfig } from '../config/read-config.ts';

/** Where a command writes and what it resolves relative paths against; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Whether stderr is a terminal a person watches: progress lines are shown there unprompted. */
  stderrIsTTY?: boolean;
  /** Whether stdout is a terminal: `intctl demo` then goes on serving its dashboard. */
  stdoutIsTTY?: boolean;
  /** Milliseconds of a monotonic clock, for progress; tests pass their own. */
  clock?: () => number;
  /**
   * Standard output when it is a terminal a person watches: whether colour may be used there (not
   * with NO_COLOR or --no-color), and a raw write for the control sequences of colour and of
   * `--watch`'s redraw, which stdout() would make visible. Absent: not a terminal.
   */
  terminal?: { color: boolean; write: (sequence: string) => void };
}

/**
 * The terminal. Whatever a command prints passes through printable(): a name, a path or a
 * message from a repository or a remote environment cannot carry an escape sequence to it.
 */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(printable(text, { keepLayout: true })),
  stderr: (text) => process.stderr.write(printable(text, { keepLayout: true })),
  cwd: process.cwd(),
  stderrIsTTY: process.stderr.isTTY === true,
  stdoutIsTTY: process.stdout.isTTY === true,
  clock: () => performance.now(),
  ...(process.stdout.isTTY === true
    ? { terminal: { color: readTerminalConfig().color, write: (sequence: string) => void process.stdout.write(sequence) } }
    : {}),
};

/**
 * The exit codes of every command, and only these. `changes` is plan's alone, so a script can
 * tell "there is something to apply" from a mistake; `usage` is sysexits' EX_USAGE, apart from
 * every other code, so a typo is never read as a result.
 */
export const EXIT = { ok: 0, failed: 1, changes: 2, usage: 64 } as const;

export type ExitName = keyof typeof EXIT;

/** What each code means, as `--help` and the README show it. */
export const EXIT_MEANINGS: Record<ExitName, string> = {
  ok: 'success',
  failed: 'failure: the command ran and did not succeed (what failed is printed)',
  changes: 'plan only: there are changes to apply, or the plan is blocked by policy',
  usage: 'usage error: an unknown command or option, a missing or bad value, or an environment, integration, directory, Git ref or state directory that cannot be used',
};

/** The "Exit codes:" epilogue of a command's help: the codes it can return, with the meanings above unless told otherwise. */
export function exitCodeHelp(codes: Partial<Record<ExitName, string | true>>): string {
  const lines = ['', 'Exit codes:'];
  for (const name of Object.keys(EXIT) as ExitName[]) {
    const meaning = codes[name];
    if (meaning === undefined) continue;
    lines.push(...wrap(meaning === true ? EXIT_MEANINGS[name] : meaning, 72).map((line, i) => `  ${i === 0 ? String(EXIT[name]).padEnd(4) : '    '}${line}`));
  }
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/** A mistake in how the command was called: printed with the usage hint, exit 64 (EXIT.usage). */
export class UsageError extends Error {}
