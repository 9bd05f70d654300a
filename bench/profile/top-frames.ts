import { readFileSync } from 'node:fs';

/**
 * The top frames of a .cpuprofile by self time, and by total time (self plus callees) for frames
 * of intctl's own code: `npx tsx bench/profile/top-frames.ts FILE [N]`.
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, count] = [process.argv[2]!, Number(process.argv[3] ?? 25)];
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const name = (n: Node): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(`file://${process.cwd()}/`, '').replace(`${process.cwd()}/`, '')}:${n.callFrame.lineNumber + 1}`;

const selfByName = new Map<string, number>();
for (const [id, t] of self) selfByName.set(name(byId.get(id)!), (selfByName.get(name(byId.get(id)!)) ?? 0) + t);
// Inclusive time per name, counting each name once per stack.
const inclusive = new Map<string, number>();
const walk = (id: number, stack: Set<string>): number => {
  const n = byId.get(id)!;
  let t = self.get(id) ?? 0;
  const key = name(n);
  const fresh = !stack.has(key);
  if (fresh) stack.add(key);
  for (const c of n.children ?? []) t += walk(c, stack);
  if (fresh) {
    stack.delete(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + t);
  }
  return t;
};
walk(profile.nodes[0]!.id, new Set());
const pct = (t: number): string => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
process.stdout.write(`total ${(total / 1000).toFixed(0)} ms sampled\n\nself time:\n`);
for (const [k, t] of [...selfByName].sort((a, b) => b[1] - a[1]).slice(0, count)) process.stdout.write(`${pct(t)}  ${k}\n`);
process.stdout.write(`\ninclusive, intctl's own code:\n`);
for (const [k, t] of [...inclusive].filter(([k]) => k.includes(process.env.FOCUS_DIR ?? 'controller/')).sort((a, b) => b[1] - a[1]).slice(0, count)) process.stdout.write(`${pct(t)}  ${k}\n`);

// With a third argument, the callers of the frames whose name holds it, by inclusive time.
const focus = process.argv[4];
if (focus !== undefined) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const subtree = (id: number): number => (self.get(id) ?? 0) + (byId.get(id)!.children ?? []).reduce((a, c) => a + subtree(c), 0);
  const callers = new Map<string, number>();
  for (const n of profile.nodes) {
    if (!name(n).includes(focus)) continue;
    const chain: string[] = [];
    for (let p = parent.get(n.id), i = 0; p !== undefined && i < 8; p = parent.get(p), i++) chain.push(name(byId.get(p)!));
    const key = chain.join(' < ');
    callers.set(key, (callers.get(key) ?? 0) + subtree(n.id));
  }
  process.stdout.write(`\ncallers of ${focus}:\n`);
  for (const [k, t] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 8)) process.stdout.write(`${pct(t)}  ${k}\n`);
}
