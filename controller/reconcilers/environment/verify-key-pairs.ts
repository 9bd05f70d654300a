import type { LoadedObject, ManifestSet } from '../../core/manifest.ts';
import { certificatesInPem } from '../../core/pem-certificates.ts';
import type { Plan } from '../../core/plan.ts';
import { fieldName, type Problem } from '../../core/problem.ts';
import type { EnvironmentDriver, SealedKeyPair } from '../../environments/driver.ts';
import type { Connection, ConnectionEndpoint } from '../../generated/manifests.ts';

/** A connection's private key that the environment found does not belong to its certificate, or cannot be read. */
export interface MismatchedKeyPair {
  connection: string;
  problem: Problem;
}

interface KeyPairInput {
  object: LoadedObject<Connection>;
  pair: SealedKeyPair;
  subject: string;
}

/**
 * The private keys a plan would apply that do not belong to their certificates, or that the
 * runtime could not read: asked of the environment (the driver's verifyKeyPairs), the only place
 * a sealed key opens, and located at the `privateKey` field of the manifest, as validation does
 * for a plain key. Asked about: the connections the plan creates or changes that give a
 * `certificate` and a private key the plan applies sealed: a `sealed:` key, or a `plain:` one that
 * is not PEM (a PKCS#12 file, which validation does not read; a plain PEM key is checked there
 * already). The key's password goes along sealed (a plain one as the controller sealed it). A key
 * or a password given as an `env:` or `file:` reference is not asked about: it is read where the
 * connection is used, when it is used, and may change without a commit; the runtime refuses a
 * mismatch there (ConnectionInvalid). So the environment opens only what was sealed to it, and the
 * check tells nothing about its variables and files. A key or password that does not open is left to
 * unopenedSealedValues, which reports it as SecretUnsealFailed.
 */
export async function mismatchedKeyPairs(plan: Plan, set: ManifestSet, driver: EnvironmentDriver): Promise<MismatchedKeyPair[]> {
  const environment = plan.environment;
  const byName = new Map(set.connections.map((object) => [object.manifest.metadata.name, object]));
  const inputs: KeyPairInput[] = [];
  for (const action of plan.actions) {
    if (action.type !== 'UpsertConnection') continue;
    const object = byName.get(action.connection.name);
    const endpoint = object?.manifest.spec.environments[environment];
    if (!object || !endpoint) continue;
    const pair = sealedKeyPair(endpoint, action.connection.secrets);
    const certificates = pair ? certificatesInPem(pair.certificate) : [];
    if (!pair || typeof certificates === 'string' || certificates.length === 0) continue;
    inputs.push({ object, pair, subject: certificates[0]!.subject.replace(/\n/g, ', ') });
  }
  if (inputs.length === 0) return [];
  const verdicts = await driver.verifyKeyPairs(inputs.map((input) => input.pair));
  const found: MismatchedKeyPair[] = [];
  for (const [index, input] of inputs.entries()) {
    const verdict = verdicts[index];
    if (verdict !== 'mismatch' && verdict !== 'unreadable') continue;
    const connection = input.object.manifest.metadata.name;
    const path = ['spec', 'environments', environment, 'privateKey'];
    const problem: Problem = {
      file: input.object.file,
      ...input.object.locate(path),
      severity: 'error',
      ...(verdict === 'mismatch'
        ? { reason: 'KeyCertificateMismatch' as const, message: `does not match the certificate of ${input.subject} (environment ${environment} opened the key to compare them); give the key of this certificate, or the certificate of this key` }
        : { reason: 'KeyUnreadable' as const, message: `opens with environment ${environment}'s key but is not a private key the runtime reads (PEM, or a PKCS#12 file in base64), or keyPassword does not open it` }),
      field: fieldName(path),
      object: { kind: 'Connection', name: connection },
    };
    found.push({ connection, problem });
  }
  return found;
}

/** The key pair to ask about, from the manifest's endpoint and the secrets the plan applies; undefined when there is none to ask about. */
function sealedKeyPair(endpoint: ConnectionEndpoint, applied: Readonly<Record<string, unknown>>): SealedKeyPair | undefined {
  const key = endpoint.privateKey;
  if (endpoint.certificate === undefined || key === undefined) return undefined;
  const plainPem = typeof key.plain === 'string' && key.plain.trimStart().startsWith('-----BEGIN');
  if (typeof key.sealed !== 'string' && (typeof key.plain !== 'string' || plainPem)) return undefined;
  const privateKey = sealedOf(applied.privateKey);
  if (privateKey === undefined) return undefined;
  if (endpoint.keyPassword === undefined) return { privateKey, certificate: endpoint.certificate };
  const keyPassword = sealedOf(applied.keyPassword);
  return keyPassword === undefined ? undefined : { privateKey, keyPassword, certificate: endpoint.certificate };
}

function sealedOf(secret: unknown): string | undefined {
  const sealed = (secret as { sealed?: unknown } | undefined)?.sealed;
  return typeof sealed === 'string' ? sealed : undefined;
}
