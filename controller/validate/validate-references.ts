import type { Connection, Environment, Integration, SecretValue } from '../generated/manifests.ts';
import { environmentPolicy } from '../core/environment-policy.ts';
import type { LoadedObject, Manifest, ManifestSet } from '../core/manifest.ts';
import { fieldName, type Problem, type ProblemReason } from '../core/problem.ts';
import { normalizeRepoPath, normalizeStorePath } from '../core/repo-path.ts';
import type { PathCheck } from '../core/repository-reader.ts';
import { sealedValueFlaw } from '../core/sealed-value-shape.ts';
import { isSpecUrl, specUrlMessage } from '../core/spec-url.ts';
import { AUTH_FIELDS, AUTH_TYPES, CLIENT_AUTHENTICATION, CREDENTIAL_FIELDS, ENDPOINT_AUTH_FIELDS, SECRET_FIELDS, SYSTEMS, clientAuthenticationOf } from '../core/systems.ts';

type Path = (string | number)[];

/**
 * The checks across objects, after each passed its schema: duplicate names, references to
 * connections and environments, specification paths, auth types and credentials, plain secrets
 * against policy, and promotion order. Pure: `paths` holds what the loader found on disk for
 * each specification path that is lexically inside the repository.
 */
export function validateReferences(set: ManifestSet, paths: ReadonlyMap<string, PathCheck>): Problem[] {
  const problems: Problem[] = [];
  const report = (object: LoadedObject, path: Path, reason: ProblemReason, message: string, atKey = false): void => {
    const at = atKey ? object.locateKey(path) : object.locate(path);
    problems.push({
      file: object.file,
      ...at,
      severity: 'error',
      reason,
      field: fieldName(path),
      message,
      object: { kind: object.head.kind, name: object.head.metadata.name },
    });
  };

  const environments = uniqueByName(set.environments, report);
  const connections = uniqueByName(set.connections, report);
  uniqueByName(set.integrations, report);

  for (const env of set.environments) checkEnvironment(env, environments, report);
  for (const conn of set.connections) checkConnection(conn, environments, report);
  for (const integration of set.integrations) checkIntegration(integration, connections, environments, paths, report);
  return problems;
}

type Report = (object: LoadedObject, path: Path, reason: ProblemReason, message: string, atKey?: boolean) => void;

/** The first object of each name; names defined twice are reported, and marked so that checks against them stay quiet. */
function uniqueByName<M extends Manifest>(objects: LoadedObject<M>[], report: Report): Map<string, LoadedObject<M>> & { duplicated: Set<string> } {
  const byName = Object.assign(new Map<string, LoadedObject<M>>(), { duplicated: new Set<string>() });
  for (const object of objects) {
    const name = object.head.metadata.name;
    const first = byName.get(name);
    if (first) {
      const at = first.locate(['metadata', 'name']);
      report(object, ['metadata', 'name'], 'DuplicateName', `${name} is already defined at ${first.file}:${at.line}:${at.column}`);
      byName.duplicated.add(name);
      continue;
    }
    byName.set(name, object);
  }
  return byName;
}

function known(names: Iterable<string>): string {
  const list = [...names].sort();
  return list.length === 0 ? 'none are defined' : `defined: ${list.join(', ')}`;
}

function checkEnvironment(object: LoadedObject<Environment>, environments: Map<string, LoadedObject<Environment>>, report: Report): void {
  const spec = object.manifest.spec;
  if (spec.driver === 'http' && !spec.url) report(object, ['spec', 'url'], 'InvalidCombination', 'is required when driver is http');
  if (spec.driver === 'embedded' && spec.url) report(object, ['spec', 'url'], 'InvalidCombination', 'applies only when driver is http; an embedded environment uses path', true);
  if (spec.driver === 'embedded' && spec.token) report(object, ['spec', 'token'], 'InvalidCombination', 'applies only when driver is http', true);
  if (spec.driver === 'http' && spec.path) report(object, ['spec', 'path'], 'InvalidCombination', 'applies only when driver is embedded', true);
  if (spec.driver === 'embedded' && spec.path !== undefined && normalizeStorePath(spec.path) === undefined) {
    report(object, ['spec', 'path'], 'PathOutsideStateDirectory', `${JSON.stringify(spec.path)} leaves the state directory: the store holds the environment's private key, so it is kept there; give a path relative to it, without ..`);
  }
  if (spec.token?.plain !== undefined) report(object, ['spec', 'token', 'plain'], 'PlainSecretRefused', 'an environment token must be sealed or referenced (env or file), never plain text', true);
  if ((spec.policy?.approvers?.length ?? 0) > 0 && !spec.policy?.requiredApprovals) {
    report(object, ['spec', 'policy', 'approvers'], 'InvalidCombination', 'has no effect while requiredApprovals is 0', true);
  }

  const from = spec.promotesFrom;
  if (from === undefined) return;
  if (from === object.manifest.metadata.name) {
    report(object, ['spec', 'promotesFrom'], 'PromotionCycle', 'an environment cannot promote from itself');
    return;
  }
  if (!environments.has(from)) {
    report(object, ['spec', 'promotesFrom'], 'DanglingReference', `environment ${from} does not exist (${known(environments.keys())})`);
    return;
  }
  // Follow the chain; report a cycle once, at the environment with the smallest name in it.
  const seen = [object.manifest.metadata.name];
  let next: string | undefined = from;
  while (next !== undefined && environments.has(next)) {
    if (next === object.manifest.metadata.name) {
      if (seen.every((name) => name >= object.manifest.metadata.name)) {
        report(object, ['spec', 'promotesFrom'], 'PromotionCycle', `promotion order is a cycle: ${[...seen, next].join(' -> ')}`);
      }
      return;
    }
    if (seen.includes(next)) return;
    seen.push(next);
    next = environments.get(next)!.manifest.spec.promotesFrom;
  }
}

function checkConnection(object: LoadedObject<Connection>, environments: Map<string, LoadedObject<Environment>>, report: Report): void {
  const spec = object.manifest.spec;
  const system = SYSTEMS[spec.system];
  const authType = spec.auth.type;
  if (!system.auth.includes(authType)) {
    report(object, ['spec', 'auth', 'type'], 'UnsupportedAuth', `${authType} is not supported by system ${spec.system}; use one of ${system.auth.join(', ')}`);
    return;
  }
  const traits = AUTH_TYPES[authType];
  const endpoints = Object.values(spec.environments).filter((e) => e !== undefined);
  for (const field of traits.authRequired) {
    // tokenUrl, scopes and audience may instead be given per environment.
    const everyEnvironment = endpoints.length > 0 && endpoints.every((e) => (e as unknown as Record<string, unknown>)[field] !== undefined);
    if (spec.auth[field] === undefined && !everyEnvironment) {
      const perEnvironment = (ENDPOINT_AUTH_FIELDS as readonly string[]).includes(field) ? ', unless every environment gives its own' : '';
      report(object, ['spec', 'auth', field], 'MissingCredential', `is required when auth type is ${authType}${perEnvironment}`);
    }
  }
  for (const field of AUTH_FIELDS) {
    if (spec.auth[field] !== undefined && !traits.authRequired.includes(field) && !traits.authOptional.includes(field)) {
      report(object, ['spec', 'auth', field], 'InvalidCombination', `does not apply to auth type ${authType}`, true);
    }
  }
  const oauth = authType === 'oauth2ClientCredentials' || authType === 'oauth2JwtBearer';
  if (oauth && spec.auth.tokenUrl === undefined && spec.auth.issuer === undefined) {
    const everyEnvironment = endpoints.length > 0 && endpoints.every((e) => e.tokenUrl !== undefined || e.issuer !== undefined);
    if (!everyEnvironment) report(object, ['spec', 'auth', 'tokenUrl'], 'MissingCredential', `is required when auth type is ${authType}, unless every environment gives its own (or an issuer whose metadata names it)`);
  }

  for (const field of ['tokenUrl', 'issuer'] as const) {
    if (spec.auth[field] !== undefined && !secureOrLoopback(spec.auth[field])) report(object, ['spec', 'auth', field], 'InvalidCombination', 'must be https (plain http is allowed to a loopback address only): credentials are sent to it');
    for (const [envName, endpoint] of Object.entries(spec.environments)) {
      const given = endpoint?.[field];
      if (given !== undefined && !secureOrLoopback(given)) report(object, ['spec', 'environments', envName, field], 'InvalidCombination', 'must be https (plain http is allowed to a loopback address only): credentials are sent to it');
    }
  }

  for (const [envName, endpoint] of Object.entries(spec.environments)) {
    if (!endpoint) continue;
    const base: Path = ['spec', 'environments', envName];
    const env = environments.get(envName);
    if (!env) {
      report(object, base, 'DanglingReference', `environment ${envName} does not exist (${known(environments.keys())})`, true);
    }
    const scheme = safeProtocol(endpoint.endpoint);
    if (scheme && !system.schemes.includes(scheme)) {
      report(object, [...base, 'endpoint'], 'InvalidCombination', `must use ${system.schemes.map((s) => s.replace(':', '')).join(' or ')} for system ${spec.system}`);
    }
    for (const field of traits.required) {
      if (endpoint[field] === undefined) report(object, [...base, field], 'MissingCredential', `is required when auth type is ${authType}`);
    }
    const given = endpoint.clientAuthentication ?? spec.auth.clientAuthentication;
    const clientAuthentication = oauth ? clientAuthenticationOf(authType, given) : undefined;
    const methodNeeds = clientAuthentication ? CLIENT_AUTHENTICATION[clientAuthentication] : [];
    const methodField = given === undefined ? '' : ` and clientAuthentication is ${clientAuthentication}`;
    for (const field of methodNeeds) {
      if (endpoint[field] === undefined && !traits.required.includes(field)) report(object, [...base, field], 'MissingCredential', `is required when auth type is ${authType}${methodField}`);
    }
    if (clientAuthentication !== undefined && endpoint.clientSecret !== undefined && !methodNeeds.includes('clientSecret')) {
      report(object, [...base, 'clientSecret'], 'InvalidCombination', `is not used when clientAuthentication is ${clientAuthentication}`, true);
    }
    for (const field of CREDENTIAL_FIELDS) {
      if (endpoint[field] !== undefined && !traits.required.includes(field) && !traits.optional.includes(field)) {
        report(object, [...base, field], 'InvalidCombination', `does not apply to auth type ${authType}`, true);
      }
    }
    for (const field of ENDPOINT_AUTH_FIELDS) {
      if (endpoint[field] !== undefined && !traits.authRequired.includes(field) && !traits.authOptional.includes(field)) {
        report(object, [...base, field], 'InvalidCombination', `does not apply to auth type ${authType}`, true);
      }
    }
    const plainAllowed = env !== undefined && environmentPolicy(env.manifest).plainSecrets;
    for (const field of SECRET_FIELDS) {
      const value = endpoint[field] as SecretValue | undefined;
      if (value?.plain !== undefined && env && !plainAllowed) {
        report(object, [...base, field, 'plain'], 'PlainSecretRefused', `plain-text secrets are refused in environment ${envName} (its policy.plainSecrets is false); seal it with \`intctl seal --env ${envName}\` or reference an env or file`, true);
      }
      const flaw = typeof value?.sealed === 'string' ? sealedValueFlaw(value.sealed) : undefined;
      if (flaw) {
        report(object, [...base, field, 'sealed'], 'MalformedSealedValue', `is not a value sealed with \`intctl seal --env ${envName}\`: ${flaw}`);
      }
    }
  }
}

function checkIntegration(
  object: LoadedObject<Integration>,
  connections: Map<string, LoadedObject<Connection>> & { duplicated: Set<string> },
  environments: Map<string, LoadedObject<Environment>>,
  paths: ReadonlyMap<string, PathCheck>,
  report: Report,
): void {
  const spec = object.head.spec;
  const system = SYSTEMS[spec.system];

  if (spec.source.path === undefined) {
    const hint = system.source === 'snapshot' ? ` (the schema snapshot that intctl introspect ${object.head.metadata.name} --write writes, for instance specs/${object.head.metadata.name}.schema.json)` : '';
    report(object, ['spec', 'source', 'path'], 'InvalidCombination', `is required for system ${spec.system}${hint}`);
  }
  if (system.source === 'path' && spec.source.introspect !== undefined) report(object, ['spec', 'source', 'introspect'], 'InvalidCombination', `does not apply to system ${spec.system}; give a path`, true);
  const schemas = spec.source.introspect?.schemas ?? [];
  if (system.source === 'snapshot' && schemas.length > 1) {
    report(object, ['spec', 'source', 'introspect', 'schemas', 1], 'InvalidCombination', `a ${spec.system} integration reads one schema (${schemas[0]}); give each other schema an integration of its own`);
  }
  if (system.source !== 'snapshot' && spec.nulls !== undefined) report(object, ['spec', 'nulls'], 'InvalidCombination', `applies only to database systems (postgresql, mysql)`, true);
  if (spec.source.odataVersion !== undefined && spec.system !== 'odata') {
    report(object, ['spec', 'source', 'odataVersion'], 'InvalidCombination', 'applies only to system odata', true);
  }
  if (spec.source.path !== undefined && isSpecUrl(spec.source.path)) {
    report(object, ['spec', 'source', 'path'], 'PathOutsideRepository', specUrlMessage(spec.source.path, object.head.metadata.name, spec.system));
  } else if (spec.source.path !== undefined) {
    const problem = checkSpecPath(spec.source.path, paths);
    if (problem) report(object, ['spec', 'source', 'path'], problem.reason, problem.message);
  }

  const connection = connections.get(spec.connection);
  const ambiguous = connections.duplicated.has(spec.connection);
  if (!connection) {
    report(object, ['spec', 'connection'], 'DanglingReference', `connection ${spec.connection} does not exist (${known(connections.keys())})`);
  } else if (connection.manifest.spec.system !== spec.system) {
    report(object, ['spec', 'connection'], 'SystemMismatch', `connection ${spec.connection} is for system ${connection.manifest.spec.system}, not ${spec.system}`);
  }

  for (const [i, envName] of spec.environments.entries()) {
    if (!environments.has(envName)) {
      report(object, ['spec', 'environments', i], 'DanglingReference', `environment ${envName} does not exist (${known(environments.keys())})`);
      continue;
    }
    if (connection && !ambiguous && !connection.manifest.spec.environments[envName]) {
      report(object, ['spec', 'environments', i], 'DanglingReference', `connection ${spec.connection} is not defined for environment ${envName}`);
    }
  }
}

/** Lexical checks first (absolute, `..`, backslashes), then what the loader found on disk. */
export function checkSpecPath(path: string, paths: ReadonlyMap<string, PathCheck>): { reason: ProblemReason; message: string } | undefined {
  const normalized = normalizeRepoPath(path);
  if (normalized === undefined) {
    return { reason: 'PathOutsideRepository', message: `${JSON.stringify(path)} leaves the repository; give a path relative to the repository root` };
  }
  const found = paths.get(normalized) ?? 'missing';
  switch (found) {
    case 'file':
      return undefined;
    case 'missing':
      return { reason: 'PathNotFound', message: `${normalized} does not exist in the repository` };
    case 'directory':
      return { reason: 'PathNotFound', message: `${normalized} is a directory, not a specification file` };
    case 'outside':
      return { reason: 'PathOutsideRepository', message: `${normalized} leaves the repository through a symbolic link` };
    case 'special':
      return { reason: 'NotARegularFile', message: `${normalized} is not a regular file (a named pipe, socket, device or submodule); only regular files are read` };
  }
}

/** An https URL, or http to a loopback address (a token endpoint on the same machine, in tests and demos). */
function secureOrLoopback(url: string): boolean {
  const scheme = safeProtocol(url);
  if (scheme === undefined || scheme === 'https:') return true;
  return scheme === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

function safeProtocol(url: string): string | undefined {
  try {
    return new URL(url).protocol;
  } catch {
    return undefined;
  }
}
