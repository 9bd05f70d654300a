import type { CliIo } from './io.ts';

/** What a line is, for colour: only what a reviewer must not miss gets one. */
export type LineStyle = 'breaking' | 'destructive';

const SGR: Record<LineStyle, string> = { breaking: '\u001b[1;31m', destructive: '\u001b[31m' };
const RESET = '\u001b[0m';

/**
 * Prints text line by line, each line the style function marks in its colour when standard output
 * is a terminal that allows colour (not with NO_COLOR or --no-color); elsewhere the bytes are the
 * text as it is, so pipes, files and tests see no escape sequence.
 */
export function printStyled(io: CliIo, text: string, styleOf: (line: string, index: number) => LineStyle | undefined): void {
  const terminal = io.terminal;
  if (!terminal?.color) {
    io.stdout(text);
    return;
  }
  const lines = text.split('\n');
  let plain = '';
  for (const [index, line] of lines.entries()) {
    const end = index < lines.length - 1 ? '\n' : '';
    const style = line === '' ? undefined : styleOf(line, index);
    if (style === undefined) {
      plain += line + end;
      continue;
    }
    if (plain !== '') io.stdout(plain);
    plain = '';
    terminal.write(SGR[style]);
    io.stdout(line);
    terminal.write(RESET);
    io.stdout(end);
  }
  if (plain !== '') io.stdout(plain);
}
