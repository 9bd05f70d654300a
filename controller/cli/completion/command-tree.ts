import type { Command } from 'commander';

/** One command of the tree completion scripts are written from: its path, subcommands and options. */
export interface CommandNode {
  /** The words after `intctl` that name it; empty for intctl itself. */
  path: string[];
  subcommands: Array<{ name: string; description: string }>;
  options: OptionNode[];
}

export interface OptionNode {
  /** Every spelling: `-o`, `--output`. */
  flags: string[];
  description: string;
  /** Takes a value (`--repo <dir>`); the values to offer when they are a fixed list. */
  takesValue: boolean;
  values?: string[];
}

/** The values some options take, offered by the scripts; other options with a value complete file names. */
const VALUES: Record<string, string[]> = { '--output': ['table', 'json', 'yaml'] };

/**
 * Every command of a program with all its commands registered, depth first, as completion needs
 * them: hidden options left out, `--help` added where commander adds it.
 */
export function commandTree(program: Command): CommandNode[] {
  const nodes: CommandNode[] = [];
  const visit = (command: Command, path: string[]): void => {
    const options: OptionNode[] = command.options
      .filter((o) => !(o as { hidden?: boolean }).hidden)
      .map((o) => ({
        flags: [o.short, o.long].filter((f): f is string => f !== undefined),
        description: o.description,
        takesValue: o.required || o.optional,
        ...(o.long !== undefined && VALUES[o.long] ? { values: VALUES[o.long] } : {}),
      }));
    options.push({ flags: ['-h', '--help'], description: 'display help for command', takesValue: false });
    const subcommands = command.commands.map((c) => ({ name: c.name(), description: c.description() }));
    nodes.push({ path, subcommands, options });
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return nodes;
}
