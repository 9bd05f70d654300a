import type { CommandNode } from './command-tree.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The completion script of a shell for the command tree. */
export function renderCompletion(shell: Shell, nodes: readonly CommandNode[]): string {
  switch (shell) {
    case 'bash':
      return `# intctl completion for bash; load it with: source <(intctl completion bash)\n${bashFunction(nodes)}`;
    case 'zsh':
      // zsh runs the bash function through its bash completion layer: one script, one behaviour.
      return `#compdef intctl\n# intctl completion for zsh; load it with: source <(intctl completion zsh)\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bashFunction(nodes)}`;
    case 'fish':
      return fishScript(nodes);
  }
}

/** A word list for bash: flags and names are plain words (letters, digits, dashes), so nothing needs quoting. */
function bashFunction(nodes: readonly CommandNode[]): string {
  const valued = new Set<string>();
  const choices = new Map<string, string[]>();
  for (const node of nodes) {
    for (const option of node.options) {
      if (!option.takesValue) continue;
      for (const flag of option.flags) {
        valued.add(flag);
        if (option.values) choices.set(flag, option.values);
      }
    }
  }
  const paths = nodes.filter((n) => n.path.length > 0).map((n) => `/${n.path.join('/')}`);
  const cases = nodes.map((n) => `    "${n.path.length === 0 ? '' : `/${n.path.join('/')}`}") here="${[...n.subcommands.map((s) => s.name), ...n.options.flatMap((o) => o.flags)].join(' ')}" ;;`);
  const choiceCases = [...groupBy(choices)].map(([values, flags]) => `    ${flags.join('|')}) COMPREPLY=($(compgen -W "${values}" -- "$cur")); return ;;`);
  return `_intctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local valued=" ${[...valued].sort().join(' ')} "
  local path="" word here i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [[ $word == -* ]]; then
      [[ $valued == *" $word "* ]] && ((i++))
      continue
    fi
    case "$path/$word" in
      ${paths.join('|')}) path="$path/$word" ;;
    esac
  done
  case "$prev" in
${choiceCases.join('\n')}
  esac
  if [[ $valued == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return
  fi
  case "$path" in
${cases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$here" -- "$cur"))
}
complete -F _intctl intctl
`;
}

function groupBy(choices: Map<string, string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [flag, values] of choices) out.set(values.join(' '), [...(out.get(values.join(' ')) ?? []), flag]);
  return out;
}

/** fish: one `complete` line per subcommand and option, each only where its command is the one being typed. */
function fishScript(nodes: readonly CommandNode[]): string {
  const lines = ['# intctl completion for fish; load it with: intctl completion fish | source', 'complete -c intctl -f'];
  const all = new Set(nodes.flatMap((n) => n.subcommands.map((s) => s.name)));
  for (const node of nodes) {
    const condition = fishCondition(node, all);
    for (const sub of node.subcommands) lines.push(`complete -c intctl -n ${quote(condition)} -a ${quote(sub.name)} -d ${quote(sub.description)}`);
    for (const option of node.options) {
      const flags = option.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(' ');
      const value = option.takesValue ? (option.values ? ` -x -a ${quote(option.values.join(' '))}` : ' -r -F') : '';
      lines.push(`complete -c intctl -n ${quote(condition)} ${flags}${value} -d ${quote(option.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Where a node's words apply: its whole path typed, and none of its subcommands yet. */
function fishCondition(node: CommandNode, all: Set<string>): string {
  if (node.path.length === 0) return '__fish_use_subcommand';
  const seen = node.path.map((word) => `__fish_seen_subcommand_from ${word}`);
  const deeper = node.subcommands.length > 0 ? [`not __fish_seen_subcommand_from ${node.subcommands.map((s) => s.name).join(' ')}`] : [];
  // A top-level command must not also match where another top-level command was typed first.
  const others = node.path.length === 1 ? [...all].filter((name) => name !== node.path[0] && !node.subcommands.some((s) => s.name === name)) : [];
  const excluded = others.length > 0 ? [`not __fish_seen_subcommand_from ${others.join(' ')}`] : [];
  return [...seen, ...deeper, ...excluded].join('; and ');
}

/** A fish single-quoted word: only backslash and the quote are special inside. */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
