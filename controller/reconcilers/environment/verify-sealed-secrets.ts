import type { LoadedObject, ManifestSet } from '../../core/manifest.ts';
import type { Plan } from '../../core/plan.ts';
import { fieldName, type Problem } from '../../core/problem.ts';
import { SECRET_FIELDS } from '../../core/systems.ts';
import type { EnvironmentDriver } from '../../environments/driver.ts';
import type { Connection, ConnectionEndpoint, SecretValue } from '../../generated/manifests.ts';

/** One `sealed:` value of a manifest that a plan would apply. */
interface SealedInput {
  object: LoadedObject<Connection>;
  field: string;
  path: (string | number)[];
  sealed: string;
}

/** A sealed value that does not open: which connection and secret field, and the problem located in its manifest. */
export interface UnopenedSealedValue {
  connection: string;
  field: string;
  problem: Problem;
}

/**
 * The sealed values a plan would apply that do not open with the environment's
 * key (sealed for another environment, or altered): one per connection and field, located at the
 * `sealed:` value in its manifest. Only the connections the plan creates or changes are asked
 * about, so the cost follows the change; plain values the controller sealed itself are not asked
 * about. The environment answers only whether each value opens (the driver's verifySealed), so no
 * opened text ever reaches the controller, a message or a log.
 */
export async function unopenedSealedValues(plan: Plan, set: ManifestSet, driver: EnvironmentDriver): Promise<UnopenedSealedValue[]> {
  const environment = plan.environment;
  const byName = new Map(set.connections.map((object) => [object.manifest.metadata.name, object]));
  const inputs: SealedInput[] = [];
  for (const action of plan.actions) {
    if (action.type !== 'UpsertConnection') continue;
    const object = byName.get(action.connection.name);
    const endpoint = object?.manifest.spec.environments[environment];
    if (!object || !endpoint) continue;
    for (const field of SECRET_FIELDS) {
      const sealed = (endpoint[field as keyof ConnectionEndpoint] as SecretValue | undefined)?.sealed;
      if (typeof sealed === 'string') inputs.push({ object, field, path: ['spec', 'environments', environment, field, 'sealed'], sealed });
    }
  }
  if (inputs.length === 0) return [];
  const opens = await driver.verifySealed(inputs.map((input) => input.sealed));
  const unopened: UnopenedSealedValue[] = [];
  for (const [index, input] of inputs.entries()) {
    if (opens[index] === true) continue;
    const connection = input.object.manifest.metadata.name;
    const problem: Problem = {
      file: input.object.file,
      ...input.object.locate(input.path),
      severity: 'error',
      reason: 'SecretUnsealFailed',
      field: fieldName(input.path),
      message: `does not open with environment ${environment}'s key: it was sealed for another environment, or altered; seal the secret again with \`intctl seal --env ${environment}\``,
      object: { kind: 'Connection', name: connection },
    };
    unopened.push({ connection, field: input.field, problem });
  }
  return unopened;
}
