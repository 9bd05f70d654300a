import { Argument, Help, Option, type HelpConfiguration } from 'commander';
import { UsageError, type CliIo } from './io.ts';

/*
 * The options commands share, declared once, so that each is spelled, explained and checked the
 * same wherever it appears (as kubectl's -n and flux's --namespace are).
 */

/**
 * The formats of `-o`: `table` for people (`text` is the same, the spelling it had first), `json`
 * and `yaml` for machines, both the same data in the object model (camelCase keys, typed values).
 */
export const OUTPUT_FORMATS = ['table', 'text', 'json', 'yaml'] as const;
/** What a command prints: `text` (people: tables and sentences), or the same data as JSON or YAML. */
export type OutputFormat = 'text' | 'json' | 'yaml';

export function isOutputFormat(value: string): boolean {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

export function parseOutput(value: string): OutputFormat {
  if (value === 'table' || value === 'text') return 'text';
  if (value === 'json' || value === 'yaml') return value;
  throw new UsageError(`--output must be table, json or yaml (text is table), not ${JSON.stringify(value)}`);
}

/**
 * `--repo <dir>`: the repository a command reads; when left out, the top of the Git work tree the
 * current directory is in (else the current directory), unless the command says otherwise.
 */
export function repoOption(description = 'the repository directory holding the manifests (default: the top of the Git work tree of the current directory, else the current directory)'): Option {
  return new Option('--repo <dir>', description);
}

/** `--env <name>`: the environment a command works on; required unless a command says what it defaults to. */
export function envOption(description = 'the environment, as named in the repository', required = true): Option {
  const option = new Option('--env <name>', description);
  return required ? option.makeOptionMandatory() : option;
}

/** `-o, --output <format>`: how the result is printed, text for people or JSON for machines. */
export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format: table (for people; text is the same), json or yaml (the same data, for machines)').default('text', 'table').argParser(parseOutput);
}

/** `--state-dir <dir>`: where embedded environments keep their files. */
export function stateDirOption(): Option {
  return new Option(
    '--state-dir <dir>',
    "where embedded environments keep their files, outside the work tree or ignored by Git (default: $INTCTL_STATE_DIR, else the repository's own directory under $XDG_STATE_HOME/intctl, ~/.local/state/intctl)",
  );
}

/** `--no-cache`: load and generate without the caches kept across runs (nothing read from them or written to them). */
export function noCacheOption(): Option {
  return new Option('--no-cache', 'do not read or write the caches of manifests and artifacts kept across runs ($INTCTL_CACHE_DIR, else $XDG_CACHE_HOME/intctl, ~/.cache/intctl)');
}

/** `--progress`: progress lines on stderr even when it is not a terminal. */
export function progressOption(): Option {
  return new Option('--progress', 'print progress on stderr even when it is not a terminal (it is shown on a terminal anyway, for work longer than a second; never with -o json)');
}

/** `--ref <ref>`: read a commit instead of the work tree. */
export function refOption(): Option {
  return new Option('--ref <ref>', 'read the manifests of this Git commit, branch or tag instead of the work tree');
}

/**
 * Spellings that still work for one release, each with the notice it prints on stderr. The
 * README lists the same; remove an entry, its argument or option, and its test together.
 */
export const DEPRECATED = {
  positionalDir: 'the positional directory is deprecated; use --repo <dir>',
  outputDir: '-o <dir> is deprecated for the artifact files; use --out-dir <dir> (-o takes an output format: table, json or yaml)',
  out: '--out <dir> is deprecated; use --out-dir <dir>',
} as const;

export function warnDeprecated(io: CliIo, which: keyof typeof DEPRECATED): void {
  io.stderr(`intctl: ${DEPRECATED[which]}\n`);
}

const deprecatedArguments = new WeakSet<Argument>();

/** The positional `[dir]` of the commands that took one, kept for one release beside `--repo`; help leaves it out. */
export function deprecatedDirArgument(): Argument {
  const argument = new Argument('[dir]', 'deprecated: use --repo <dir>');
  deprecatedArguments.add(argument);
  return argument;
}

/**
 * Help as every command shows it: deprecated arguments hidden, as deprecated options are, and
 * each subcommand listed with its own usage line, so `intctl --help` shows the spelling to use.
 */
export const helpConfiguration: HelpConfiguration = {
  visibleArguments: (command) => command.registeredArguments.filter((a) => a.description !== '' && !deprecatedArguments.has(a)),
  subcommandTerm: (command) => `${command.name()} ${command.usage()}`,
  // Options a command cannot run without say so first, as kubectl's "(required)" does.
  optionDescription: (option) => {
    const text = defaultHelp.optionDescription(option);
    return option.mandatory ? `required: ${text}` : text;
  },
};

const defaultHelp = new Help();

/** The repository from `--repo`, or from the deprecated positional directory (with its notice); not both; undefined when neither is given. */
export function repoOf(io: CliIo, positional: string | undefined, repo: string | undefined): string | undefined {
  if (positional === undefined) return repo;
  if (repo !== undefined) throw new UsageError(`the repository is given twice, as --repo ${repo} and as the positional directory ${positional}; use --repo only`);
  warnDeprecated(io, 'positionalDir');
  return positional;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1000, kib: 1024, m: 1000 ** 2, mb: 1000 ** 2, mib: 1024 ** 2 };

/** A size in bytes, with an optional unit: `1048576`, `512KiB`, `1MiB`. */
export function parseSize(value: string, option: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) <= 0) {
    throw new UsageError(`${option} must be a positive size such as 1048576, 512KiB or 1MiB, not ${JSON.stringify(value)}`);
  }
  return Number(match[1]) * unit;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration in milliseconds, written with its unit as Go and kubectl write them: `500ms`, `30s`, `5m`, `1h`, `1m30s`. */
export function parseDuration(value: string, option: string): number {
  const parts = [...value.trim().matchAll(/(\d+)(ms|s|m|h)/g)];
  const total = parts.reduce((sum, part) => sum + Number(part[1]) * DURATION_UNITS[part[2]!]!, 0);
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value.trim() || total <= 0) {
    throw new UsageError(`${option} must be a positive duration such as 500ms, 30s, 5m or 1h, not ${JSON.stringify(value)}`);
  }
  return total;
}

/** `--server <url>` and `--token-file <path>`: a running controller to ask instead of reading the repository. */
export function serverOptions(): Option[] {
  return [
    new Option('--server <url>', "a running controller's URL (its HTTP API, the webhook port)"),
    new Option('--token-file <path>', "a file holding the token to call the controller with: its API token, api.tokenFile (default: $INTCTL_TOKEN)"),
  ];
}

/** The "Examples:" section of a command's help: each example a command line, then what it does. */
export function examplesHelp(examples: ReadonlyArray<readonly [command: string, what: string]>): string {
  return ['', 'Examples:', ...examples.flatMap(([command, what]) => [`  # ${what}`, `  $ ${command}`])].join('\n');
}

/** The "Environment variables:" section of a command's help: every variable it reads. */
export function variablesHelp(variables: ReadonlyArray<readonly [name: string, what: string]>): string {
  const width = Math.max(...variables.map(([name]) => name.length));
  return ['', 'Environment variables:', ...variables.map(([name, what]) => `  ${name.padEnd(width)}  ${what}`)].join('\n');
}
