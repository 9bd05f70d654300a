import type { CliIo } from './io.ts';
import type { OutputFormat } from './options.ts';
import { yamlModule as yaml } from '../core/lazy-module.ts';

/**
 * The data of a command as machines read it, for `-o json` and `-o yaml`: one value in the object
 * model, printed once through JSON so that both formats hold exactly the same data (a field that
 * is undefined is absent from both; dates are ISO strings in both), and YAML parses back to what
 * JSON does.
 */
export function printData(io: CliIo, output: Exclude<OutputFormat, 'text'>, data: unknown): void {
  io.stdout(formatData(output, data));
}

/** The text printData prints. */
export function formatData(output: Exclude<OutputFormat, 'text'>, data: unknown): string {
  const json = JSON.stringify(data, null, 2);
  if (output === 'json') return `${json}\n`;
  return yaml().stringify(JSON.parse(json) as unknown, { lineWidth: 0 });
}
