import type { LoadedObject, ManifestSet } from '../core/manifest.ts';
import { fieldName, type Problem } from '../core/problem.ts';
import { normalizeRepoPath } from '../core/repo-path.ts';
import type { Integration } from '../generated/manifests.ts';
import { UnreadableFileError, type PathCheck, type RepositoryReader } from '../core/repository-reader.ts';
import { checkSelection } from '../generators/check-selection.ts';
import { failed, ok, type Result, type SpecDescription, type SpecProblem } from '../generators/generator.ts';
import { GENERATORS } from '../generators/registry.ts';
import type { SpecModels } from '../generators/spec-models.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import { normalizeLineEndings } from '../core/text-encoding.ts';

/**
 * Checks every integration's selection against its specification: entities, attributes and
 * functions it names must exist, and operations must be ones the system supports. A
 * specification the generator cannot read is one problem at `spec.source.path`. Integrations of
 * systems without a generator, and paths that are not files (validation of references reports
 * those), are skipped. Faults of a specification read in spite of them are errors where the
 * selection uses the faulty part and warnings elsewhere (Generator.faults). Each specification is read and described once, and parsed through
 * `models`, so generation that shares them does not parse it again.
 */
export async function validateSelections(set: ManifestSet, reader: RepositoryReader, models?: SpecModels, limits: SpecLimits = {}): Promise<Problem[]> {
  const problems: Problem[] = [];
  const described = new Map<string, Promise<Result<{ description: SpecDescription; model: unknown }>>>();
  // Each path checked once: integrations share a few specifications (three system calls a check).
  const checked = new Map<string, Promise<PathCheck>>();
  for (const object of set.integrations) {
    const spec = object.manifest.spec;
    const generator = GENERATORS[spec.system];
    const path = spec.source.path === undefined ? undefined : normalizeRepoPath(spec.source.path);
    if (!generator || path === undefined) continue;
    let check = checked.get(path);
    if (!check) checked.set(path, (check = reader.checkPath(path)));
    if ((await check) !== 'file') continue;
    const { path: _path, ...options } = spec.source;
    const key = [spec.system, path, canonicalJson(options)].join('\0');
    let pending = described.get(key);
    if (!pending) {
      pending = readSpecification(reader, path, limits).then(async (read) => {
        if (!read.ok) return read;
        const bytes = normalizeLineEndings(read.value);
        const model = await (models ? models.model(generator, bytes, spec.source) : generator.parse(bytes, spec.source));
        return model.ok ? ok({ description: generator.describe(model.value), model: model.value }) : model;
      });
      described.set(key, pending);
    }
    const parsed = await pending;
    if (!parsed.ok) {
      for (const p of parsed.problems) problems.push(toProblem(object, inSpecification(path, p)));
      continue;
    }
    const description = parsed.value.description;
    const selection = checkSelection(description, spec);
    for (const p of selection) problems.push(toProblem(object, p));
    if (selection.length === 0 && generator.faults) {
      for (const p of generator.faults(parsed.value.model, spec)) problems.push(toProblem(object, inSpecification(path, p)));
    }
    const empty = noOperations(object, path, description);
    if (empty) problems.push(empty);
    const implicit = implicitFunctions(object, description);
    if (implicit) problems.push(implicit);
  }
  return problems;
}

/** A problem of the specification itself, at `spec.source.path`, naming the file and the pointer in it. */
function inSpecification(path: string, p: SpecProblem): SpecProblem {
  const message = p.message.startsWith(`${path} `) ? p.message : `${path}${p.pointer ? ` at ${p.pointer}` : ''}: ${p.message}`;
  return { ...p, field: ['spec', 'source', 'path'], message };
}

/**
 * A specification that offers nothing to call (an OpenAPI document of webhooks only, or with no
 * paths) generates an integration of no actions: allowed, but never what the author meant.
 */
function noOperations(object: LoadedObject<Integration>, path: string, description: SpecDescription): Problem | undefined {
  if (description.entities.length > 0 || description.functions.length > 0) return undefined;
  return {
    file: object.file,
    ...object.locate(['spec', 'source', 'path']),
    severity: 'warning',
    reason: 'NoOperations',
    field: 'spec.source.path',
    message: `${path} describes no operation that can be called (webhooks and callbacks are not actions), so the integration publishes no action`,
    object: { kind: 'Integration', name: object.manifest.metadata.name },
  };
}

/** Limits on reading specifications. */
export interface SpecLimits {
  /** Largest specification read, in bytes; anything larger is one problem, and is not read. */
  maxSpecBytes?: number;
}

/**
 * The bytes of a specification, or why they were not read (over the size limit, or not a regular
 * file) as a problem in the user's words: refused before a byte is read or parsed.
 */
async function readSpecification(reader: RepositoryReader, path: string, limits: SpecLimits): Promise<Result<Uint8Array>> {
  try {
    return ok(await reader.read(path, limits.maxSpecBytes === undefined ? {} : { maxBytes: limits.maxSpecBytes }));
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    return failed([{ reason: 'SpecificationInvalid', pointer: '', message: error.message }]);
  }
}

/** More functions than this, published because `functions` is left out, earn a warning. */
export const IMPLICIT_FUNCTIONS_LIMIT = 20;

/**
 * With `functions` left out, every function of the specification is published: for GitHub's
 * description over a thousand actions, deletions included. Past a few, that is rarely what the
 * author meant, so validation says so (a warning: it is allowed) and names some of them.
 */
function implicitFunctions(object: LoadedObject<Integration>, description: SpecDescription): Problem | undefined {
  const functions = description.functions.map((f) => f.name).sort();
  if (object.manifest.spec.functions !== undefined || functions.length <= IMPLICIT_FUNCTIONS_LIMIT) return undefined;
  const shown = functions.slice(0, 5).join(', ');
  return {
    file: object.file,
    ...object.locateKey(['spec']),
    severity: 'warning',
    reason: 'ImplicitFunctions',
    field: 'spec.functions',
    message: `is left out, so all ${functions.length} functions of the specification are published as actions (${shown}, …); list the ones the integration needs, or give functions: [] for none`,
    object: { kind: 'Integration', name: object.manifest.metadata.name },
  };
}

/** A specification or selection problem as a manifest problem, at the manifest field it names. */
export function toProblem(object: LoadedObject<Integration>, problem: SpecProblem): Problem {
  const field = problem.field ?? ['spec', 'source', 'path'];
  return {
    file: object.file,
    ...object.locate(field),
    severity: problem.severity ?? 'error',
    reason: problem.reason,
    field: fieldName(field),
    message: problem.message,
    object: { kind: 'Integration', name: object.manifest.metadata.name },
  };
}
