import type { LoadedObject } from '../core/manifest.ts';
import type { Environment } from '../generated/manifests.ts';

/** A change of whole lines in one file: `remove` lines from `at` (0-based) replaced by `insert`. */
export interface LineEdit {
  file: string;
  at: number;
  remove: number;
  insert: string[];
}

export type SuspendEdit = { kind: 'edit'; edit: LineEdit; line: number } | { kind: 'already'; line: number } | { kind: 'by-hand'; line: number; message: string };

/**
 * The edit that sets `spec.suspend` of an Environment to `suspend` in its manifest, as a person
 * would make it: the value changed in place where the field is written, else a line `suspend:
 * true` added under `spec:`; resuming removes the line. `already` when the manifest says so now;
 * `by-hand` where spec is written in a way a one-line edit cannot change (a flow mapping over
 * several lines), with what to do instead.
 */
export function suspendEdit(object: LoadedObject<Environment>, text: string, suspend: boolean): SuspendEdit {
  const lines = text.split('\n');
  const current = object.manifest.spec.suspend === true;
  const spec = object.locateKey(['spec']);
  if (current === suspend) return { kind: 'already', line: object.manifest.spec.suspend === undefined ? spec.line : object.locateKey(['spec', 'suspend']).line };
  const byHand = (line: number): SuspendEdit => ({ kind: 'by-hand', line, message: `set spec.suspend to ${suspend} in the Environment ${object.manifest.metadata.name}, ${object.file}:${line}` });
  if (object.manifest.spec.suspend !== undefined) {
    const key = object.locateKey(['spec', 'suspend']);
    const at = key.line - 1;
    const line = lines[at] ?? '';
    const own = /^(\s*)suspend:\s*(true|false)\s*(#.*)?$/.exec(line);
    if (own && !suspend) return { kind: 'edit', line: key.line, edit: { file: object.file, at, remove: 1, insert: [] } };
    const inPlace = line.slice(key.column - 1).replace(/^(suspend:\s*)(true|false)/, `$1${suspend}`);
    if (inPlace === line.slice(key.column - 1)) return byHand(key.line);
    return { kind: 'edit', line: key.line, edit: { file: object.file, at, remove: 1, insert: [line.slice(0, key.column - 1) + inPlace] } };
  }
  const at = spec.line - 1;
  const line = lines[at] ?? '';
  const after = line.slice(spec.column - 1).replace(/^spec:\s*/, '');
  if (after === '' || after.startsWith('#')) {
    // A block mapping: the field goes first, indented as the field that follows.
    const next = lines.slice(at + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    const indent = next === undefined ? ' '.repeat(spec.column + 1) : /^\s*/.exec(next)![0];
    return { kind: 'edit', line: spec.line, edit: { file: object.file, at: at + 1, remove: 0, insert: [`${indent}suspend: true`] } };
  }
  if (after.startsWith('{') && after.trimEnd().replace(/\s*#.*$/, '').endsWith('}')) {
    const edited = line.slice(0, spec.column - 1) + line.slice(spec.column - 1).replace(/^spec:\s*\{\s*/, (m) => `${m}suspend: true, `);
    return { kind: 'edit', line: spec.line, edit: { file: object.file, at, remove: 1, insert: [edited] } };
  }
  return byHand(spec.line);
}

/**
 * The edit as a unified diff with three lines of context, `a/` and `b/` prefixed as Git writes
 * them: `git apply` takes it from standard input.
 */
export function unifiedDiff(edit: LineEdit, text: string): string {
  const lines = text.split('\n');
  // A file that ends with a line break splits into one empty last element: not a line.
  if (lines.at(-1) === '') lines.pop();
  const start = Math.max(0, edit.at - 3);
  const end = Math.min(lines.length, edit.at + edit.remove + 3);
  const before = lines.slice(start, edit.at).map((l) => ` ${l}`);
  const removed = lines.slice(edit.at, edit.at + edit.remove).map((l) => `-${l}`);
  const added = edit.insert.map((l) => `+${l}`);
  const after = lines.slice(edit.at + edit.remove, end).map((l) => ` ${l}`);
  const oldCount = before.length + removed.length + after.length;
  const newCount = before.length + added.length + after.length;
  const range = (from: number, count: number): string => `${count === 0 ? from : from + 1},${count}`;
  return [`--- a/${edit.file}`, `+++ b/${edit.file}`, `@@ -${range(start, oldCount)} +${range(start, newCount)} @@`, ...before, ...removed, ...added, ...after, ''].join('\n');
}
