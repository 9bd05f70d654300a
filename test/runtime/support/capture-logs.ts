import type { DestinationStream } from 'pino';

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** A pino destination that keeps every line, raw and parsed. */
export function captureLogs() {
  const raw: string[] = [];
  const destination: DestinationStream = { write: (line: string) => void raw.push(line) };
  return {
    destination,
    text: () => raw.join(''),
    lines: (): LogLine[] => raw.map((line) => JSON.parse(line) as LogLine),
  };
}
