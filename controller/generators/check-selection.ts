import type { EntitySelection, IntegrationSpec, Operation } from '../generated/manifests.ts';
import { OPERATIONS, type DescribedEntity, type SpecDescription, type SpecProblem } from './generator.ts';
import { closestName } from '../core/edit-distance.ts';

/** One entity as it will be generated: the operations and attributes chosen (all when omitted). */
export interface ResolvedEntity {
  entity: DescribedEntity;
  operations: Operation[];
  /** undefined: every attribute. */
  attributes: string[] | undefined;
}

export interface ResolvedSelection {
  entities: ResolvedEntity[];
  functions: string[];
}

/**
 * Checks a manifest's selection against what the specification offers: every entity, attribute
 * and function must exist, and every operation must be one the system supports for that entity.
 * Each problem carries the manifest field it is about, so it can be shown on the manifest line.
 */
export function checkSelection(description: SpecDescription, spec: IntegrationSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const entities = new Map(description.entities.map((e) => [e.name, e]));
  for (const [i, selection] of (spec.entities ?? []).entries()) {
    const entity = entities.get(selection.name);
    if (!entity) {
      problems.push({
        reason: 'UnknownEntity',
        pointer: '',
        field: ['spec', 'entities', i, 'name'],
        message: `entity ${selection.name} is not in the specification${hint(selection.name, [...entities.keys()])}`,
      });
      continue;
    }
    problems.push(...checkEntity(entity, selection, i));
  }
  const functions = new Set(description.functions.map((f) => f.name));
  for (const [i, name] of (spec.functions ?? []).entries()) {
    if (functions.has(name)) continue;
    problems.push({
      reason: 'UnknownFunction',
      pointer: '',
      field: ['spec', 'functions', i],
      message: `function ${name} is not in the specification${hint(name, [...functions])}`,
    });
  }
  return problems;
}

function checkEntity(entity: DescribedEntity, selection: EntitySelection, index: number): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const [k, operation] of (selection.operations ?? []).entries()) {
    if (entity.operations.includes(operation)) continue;
    const supported = entity.operations.length > 0 ? entity.operations.join(', ') : 'no operation';
    problems.push({
      reason: 'UnsupportedOperation',
      pointer: entity.pointer,
      field: ['spec', 'entities', index, 'operations', k],
      message: `${entity.name} does not support ${operation}; the specification offers ${supported}`,
    });
  }
  const attributes = new Set(entity.attributes);
  for (const [k, attribute] of (selection.attributes ?? []).entries()) {
    if (attributes.has(attribute)) continue;
    problems.push({
      reason: 'UnknownAttribute',
      pointer: entity.pointer,
      field: ['spec', 'entities', index, 'attributes', k],
      message: `${entity.name} has no attribute ${attribute}${hint(attribute, entity.attributes)}`,
    });
  }
  return problems;
}

/**
 * The selection to generate, after checkSelection found nothing: entities in name order, each
 * with its operations in the fixed order; functions sorted. Omitted lists mean everything
 * the specification offers, so the result never depends on the order a manifest lists things.
 */
export function resolveSelection(description: SpecDescription, spec: IntegrationSpec): ResolvedSelection {
  const byName = new Map(description.entities.map((e) => [e.name, e]));
  const entities: ResolvedEntity[] = [];
  if (spec.entities === undefined) {
    for (const entity of description.entities) entities.push({ entity, operations: [...entity.operations], attributes: undefined });
  } else {
    for (const selection of spec.entities) {
      const entity = byName.get(selection.name);
      if (!entity) continue;
      const wanted = selection.operations ?? entity.operations;
      const operations = OPERATIONS.filter((o) => wanted.includes(o) && entity.operations.includes(o));
      const attributes = selection.attributes ? [...new Set(selection.attributes)].sort() : undefined;
      entities.push({ entity, operations, attributes });
    }
  }
  entities.sort((a, b) => compare(a.entity.name, b.entity.name));
  const functions = spec.functions === undefined ? description.functions.map((f) => f.name) : [...new Set(spec.functions)];
  return { entities, functions: functions.sort(compare) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `; did you mean X?` for a likely typo, or a short list of what exists. */
function hint(word: string, candidates: readonly string[]): string {
  const best = closestName(word, candidates);
  if (best !== undefined) return `; did you mean ${best}?`;
  if (candidates.length === 0) return '; it offers none';
  const sorted = [...candidates].sort(compare);
  const shown = sorted.slice(0, 8).join(', ');
  return sorted.length > 8 ? `; it offers ${shown} and ${sorted.length - 8} more` : `; it offers ${shown}`;
}
