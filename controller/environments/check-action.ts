import type { KeyPair } from '../secrets/generate-key-pair.ts';
import { openSealed } from '../secrets/open-sealed.ts';
import type { ActionRefusedReason } from './action-refused-error.ts';
import { DEPENDENCY_NAMES } from '../core/dependencies.ts';
import type { ConnectionRecord } from '../core/environment-state.ts';
import type { PlanAction } from '../core/plan-action.ts';

export interface ActionRefusal {
  reason: ActionRefusedReason;
  message: string;
}

/**
 * Whether an environment may apply an action, decided before anything changes: every driver runs
 * it. Actions arrive from another process (or over the network), so the types do not vouch for
 * them. A connection must carry each secret as exactly one of sealed, env or file; never plain.
 * Given the environment's key pair, every sealed secret must also open with it, so a value
 * sealed to another environment is refused at apply, not found out when the connection is used.
 * The opened values are discarded at once.
 */
export function checkAction(action: PlanAction, keyPair?: KeyPair): ActionRefusal | undefined {
  switch (action?.type) {
    case 'UpdateDependency':
      if (!(DEPENDENCY_NAMES as readonly string[]).includes(action.name)) return invalid(`unknown dependency ${JSON.stringify(action.name)}`);
      return nonEmpty({ id: action.id, to: action.to });
    case 'UpsertConnection':
      return checkConnection(action.connection, keyPair) ?? nonEmpty({ id: action.id });
    case 'DeleteConnection':
    case 'Unpublish':
      return nonEmpty({ id: action.id, name: action.name });
    case 'Publish': {
      const i = action.integration;
      if (i === null || typeof i !== 'object') return invalid('a Publish action needs an integration');
      return nonEmpty({ id: action.id, name: i.name, version: i.version, artifactHash: i.artifactHash, system: i.system, connection: i.connection, commit: i.commit });
    }
    default:
      return invalid(`unknown action type ${JSON.stringify((action as { type?: unknown } | undefined)?.type)}`);
  }
}

function checkConnection(record: ConnectionRecord, keyPair: KeyPair | undefined): ActionRefusal | undefined {
  if (record === null || typeof record !== 'object') return invalid('an UpsertConnection action needs a connection');
  const missing = nonEmpty({ name: record.name, system: record.system, authType: record.authType, fingerprint: record.fingerprint });
  if (missing) return missing;
  if (record.parameters === null || typeof record.parameters !== 'object') return invalid(`connection ${record.name}: parameters must be an object`);
  if (record.secrets === null || typeof record.secrets !== 'object') return invalid(`connection ${record.name}: secrets must be an object`);
  for (const [field, secret] of Object.entries(record.secrets)) {
    const given = secret !== null && typeof secret === 'object' ? Object.keys(secret) : [];
    if (given.includes('plain')) {
      return { reason: 'PlainSecretRefused', message: `connection ${record.name}: secret ${field} is plain text; environments store only sealed values and env or file references` };
    }
    const kind = given[0];
    const value = kind === undefined ? undefined : (secret as Record<string, unknown>)[kind];
    if (given.length !== 1 || !['sealed', 'env', 'file'].includes(kind!) || typeof value !== 'string' || value === '') {
      return invalid(`connection ${record.name}: secret ${field} must be exactly one of sealed, env or file`);
    }
    if (kind === 'sealed' && keyPair) {
      const opened = openSealed(keyPair, value);
      if (!opened.ok) return { reason: 'SecretUnsealFailed', message: `connection ${record.name}: secret ${field}: ${opened.message}` };
    }
  }
  return undefined;
}

function nonEmpty(fields: Record<string, unknown>): ActionRefusal | undefined {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || value === '') return invalid(`${name} must be a non-empty string`);
  }
  return undefined;
}

function invalid(message: string): ActionRefusal {
  return { reason: 'InvalidAction', message };
}
