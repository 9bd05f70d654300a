import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExampleCounts, FidelityCounts } from './measure-fidelity.ts';

/** The committed counts, by document name: what generation may only improve on. */
export type FidelityBaseline = Record<string, FidelityCounts>;

export const BASELINE_PATH = join(import.meta.dirname, '..', '..', 'generation', 'fidelity-baseline.json');

export function readBaseline(path = BASELINE_PATH): FidelityBaseline {
  return JSON.parse(readFileSync(path, 'utf8')) as FidelityBaseline;
}

export function writeBaseline(baseline: FidelityBaseline, path = BASELINE_PATH): void {
  const sorted: FidelityBaseline = {};
  for (const name of Object.keys(baseline).sort()) sorted[name] = baseline[name]!;
  writeFileSync(path, `${JSON.stringify(sorted, null, 2)}\n`);
}

/** The counts of several documents added up; `generated` is true when every one generated. */
export function totalCounts(all: readonly FidelityCounts[]): FidelityCounts & { documents: number; documentsGenerated: number } {
  const sum = (pick: (c: FidelityCounts) => number): number => all.reduce((n, c) => n + pick(c), 0);
  const examples = (pick: (c: FidelityCounts) => ExampleCounts): ExampleCounts => ({
    accepted: sum((c) => pick(c).accepted),
    refused: sum((c) => pick(c).refused),
    withoutAction: sum((c) => pick(c).withoutAction),
  });
  return {
    documents: all.length,
    documentsGenerated: all.filter((c) => c.generated).length,
    generated: all.every((c) => c.generated),
    operations: sum((c) => c.operations),
    actions: sum((c) => c.actions),
    operationsWithoutAction: sum((c) => c.operationsWithoutAction),
    duplicateActionNames: sum((c) => c.duplicateActionNames),
    requestExamples: examples((c) => c.requestExamples),
    responseExamples: examples((c) => c.responseExamples),
    schemas: { compile: sum((c) => c.schemas.compile), fail: sum((c) => c.schemas.fail) },
  };
}

/**
 * Where measured counts are worse than the baseline, one line each, naming the document and the
 * count. The baseline is a set of floors and ceilings: a document that generated still generates;
 * its operation and example totals are the document's own and stay equal; actions, accepted
 * examples and compiling schemas may only rise; operations without an action, duplicate names,
 * examples without an action and failing schemas may only fall. Refused examples are bounded by
 * those rules together (an example whose operation gains an action may be refused by it), so a
 * fix that gives an operation its action is never reported as a regression of its examples.
 */
export function regressions(baseline: FidelityBaseline, measured: FidelityBaseline): string[] {
  const out: string[] = [];
  for (const name of Object.keys(baseline)) if (!(name in measured)) out.push(`${name}: in the baseline but not measured`);
  for (const [name, now] of Object.entries(measured)) {
    const was = baseline[name];
    if (!was) {
      out.push(`${name}: not in the baseline (run npm run fidelity -- --baseline to add it)`);
      continue;
    }
    const worse = (what: string, before: number, after: number): void => {
      out.push(`${name}: ${what} ${after}, the baseline says ${before}`);
    };
    if (was.generated && !now.generated) out.push(`${name}: no longer generates`);
    if (now.operations !== was.operations) worse('operations in the document', was.operations, now.operations);
    if (now.actions < was.actions) worse('actions', was.actions, now.actions);
    if (now.operationsWithoutAction > was.operationsWithoutAction) worse('operations without an action', was.operationsWithoutAction, now.operationsWithoutAction);
    if (now.duplicateActionNames > was.duplicateActionNames) worse('duplicate action names', was.duplicateActionNames, now.duplicateActionNames);
    for (const kind of ['requestExamples', 'responseExamples'] as const) {
      const [a, b] = [was[kind], now[kind]];
      const label = kind === 'requestExamples' ? 'request examples' : 'response examples';
      if (total(b) !== total(a)) worse(`${label} in the document`, total(a), total(b));
      if (b.accepted < a.accepted) worse(`${label} accepted`, a.accepted, b.accepted);
      if (b.withoutAction > a.withoutAction) worse(`${label} without an action`, a.withoutAction, b.withoutAction);
    }
    if (now.schemas.compile < was.schemas.compile) worse('actions whose schemas compile', was.schemas.compile, now.schemas.compile);
    if (now.schemas.fail > was.schemas.fail) worse('actions whose schemas fail to compile', was.schemas.fail, now.schemas.fail);
  }
  return out;
}

/** Where measured counts are better than the baseline: the baseline can be tightened. */
export function improvements(baseline: FidelityBaseline, measured: FidelityBaseline): string[] {
  const out: string[] = [];
  for (const [name, now] of Object.entries(measured)) {
    const was = baseline[name];
    if (!was) continue;
    const better =
      (!was.generated && now.generated) ||
      now.actions > was.actions ||
      now.operationsWithoutAction < was.operationsWithoutAction ||
      now.duplicateActionNames < was.duplicateActionNames ||
      now.requestExamples.accepted > was.requestExamples.accepted ||
      now.responseExamples.accepted > was.responseExamples.accepted ||
      now.schemas.fail < was.schemas.fail;
    if (better) out.push(name);
  }
  return out;
}

function total(c: ExampleCounts): number {
  return c.accepted + c.refused + c.withoutAction;
}
