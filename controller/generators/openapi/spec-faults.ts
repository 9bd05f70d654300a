import type { SpecProblem } from '../generator.ts';
import { atPointer } from '../../core/json-pointer.ts';

/** Faults shown at most, of each severity: past these, the document needs its author anyway. */
const SHOWN = 10;

/**
 * Faults as a person reads them: the document is validated dereferenced, so one fault in a shared
 * schema is found wherever it is used. Each message is kept once (of each reason and severity),
 * at its shortest pointer (the shared schema itself), counting the other places.
 */
export function summarizeFaults(faults: SpecProblem[]): SpecProblem[] {
  const byMessage = new Map<string, { fault: SpecProblem; count: number }>();
  for (const fault of faults) {
    const key = `${fault.reason}\0${fault.severity ?? 'error'}\0${fault.message}`;
    const seen = byMessage.get(key);
    if (!seen) {
      byMessage.set(key, { fault, count: 1 });
      continue;
    }
    const shorter = fault.pointer.length < seen.fault.pointer.length || (fault.pointer.length === seen.fault.pointer.length && fault.pointer < seen.fault.pointer);
    byMessage.set(key, { fault: shorter ? fault : seen.fault, count: seen.count + 1 });
  }
  const out: SpecProblem[] = [];
  for (const { fault, count } of byMessage.values()) {
    const more = count > 1 ? ` (and in ${count - 1} more ${count === 2 ? 'place' : 'places'} that use it)` : '';
    out.push({ ...fault, message: `${fault.message}${more}` });
  }
  return out.slice(0, SHOWN);
}

/**
 * The faults of a document as one selection sees them. `roots` are the JSON pointers of what
 * generation reads (the selected operations, their path items' parameters, the servers); the
 * parts they reach through `$ref`s are used too. A fault at, under or above a used part is an
 * error (`SpecificationInvalid`); any other is a warning (`SpecificationFaultOutsideSelection`):
 * nothing generated reads it. Warnings found while reading (a `schema: null`) stay warnings.
 */
export function faultsForSelection(document: unknown, faults: SpecProblem[], roots: string[]): SpecProblem[] {
  if (faults.length === 0) return [];
  const used = usedPointers(document, roots);
  const errors: SpecProblem[] = [];
  const warnings: SpecProblem[] = [];
  for (const fault of faults) {
    if (fault.severity === 'warning') warnings.push(fault);
    else if (touches(fault.pointer, used)) errors.push(fault);
    else warnings.push({ reason: 'SpecificationFaultOutsideSelection', severity: 'warning', pointer: fault.pointer, message: `${fault.message} (outside the selection, so nothing generated uses it)` });
  }
  return [...summarizeFaults(errors), ...summarizeFaults(warnings)];
}

/** Whether a pointer is at, under, or above one of the used parts. */
function touches(at: string, used: Set<string>): boolean {
  if (at === '') return true;
  for (const part of used) {
    if (at === part || at.startsWith(`${part}/`) || part.startsWith(`${at}/`)) return true;
  }
  return false;
}

/** The roots and every local `$ref` target they reach, transitively. */
function usedPointers(document: unknown, roots: string[]): Set<string> {
  const used = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const at = pending.pop()!;
    if (used.has(at)) continue;
    used.add(at);
    for (const ref of refsUnder(atPointer(document, at))) pending.push(ref);
  }
  return used;
}

/** The pointers of the local `$ref`s inside a value. */
function refsUnder(root: unknown): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const ref = (node as Record<string, unknown>).$ref;
    if (typeof ref === 'string' && ref.startsWith('#')) out.push(refPointer(ref));
    for (const value of Object.values(node)) stack.push(value);
  }
  return out;
}

/** The JSON pointer a local `$ref` (`#/components/schemas/A%20B`) names. */
export function refPointer(ref: string): string {
  try {
    return decodeURIComponent(ref.slice(1));
  } catch {
    return ref.slice(1);
  }
}

