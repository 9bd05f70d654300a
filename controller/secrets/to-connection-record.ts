import { SECRET_FIELDS } from '../core/systems.ts';
import type { ConnectionRecord, StoredSecret } from '../core/environment-state.ts';
import type { Connection, ConnectionEndpoint, SecretValue } from '../generated/manifests.ts';
import { connectionFingerprint } from './connection-fingerprint.ts';
import { sealSecret } from './seal-secret.ts';
import { SecretError, type SecretFailure } from './secret-error.ts';
import { secretSource } from './secret-source.ts';

export type ConnectionRecordResult = { ok: true; record: ConnectionRecord } | SecretFailure;

/**
 * The ConnectionRecord the controller applies to one environment, built from a Connection
 * manifest: the non-secret parameters (endpoint, username, clientId, subject, certificate,
 * caBundle, parameters, and the fields of spec.auth, with this environment's tokenUrl, scopes,
 * audience, issuer and clientAuthentication
 * in place of the shared ones), the secrets, and the fingerprint.
 *
 * A plain secret is sealed to the environment's public key here, before it leaves the
 * controller, so an environment only ever stores sealed values or env/file references. The
 * fingerprint is taken over the plain value, not the sealed one: sealing is randomized, and
 * sealing again must not look like a change. Whether plain secrets are allowed at all is the
 * environment policy's question, answered by validation before this runs.
 */
export function toConnectionRecord(connection: Connection, environmentName: string, publicKey: string, fingerprintKey: string): ConnectionRecordResult {
  const name = connection.metadata.name;
  const endpoint = connection.spec.environments[environmentName];
  if (!endpoint) {
    return { ok: false, reason: 'ConnectionNotDefined', message: `connection ${name} has no definition for environment ${environmentName}` };
  }
  const base = { name, system: connection.spec.system, authType: connection.spec.auth.type, parameters: parametersOf(connection, endpoint) };

  const inputs: Record<string, SecretValue> = {};
  const secrets: Record<string, StoredSecret> = {};
  try {
    for (const field of SECRET_FIELDS) {
      const input = endpoint[field as keyof ConnectionEndpoint] as SecretValue | undefined;
      if (input === undefined) continue;
      const source = secretSource(input);
      if (!source) {
        return { ok: false, reason: 'InvalidSecretValue', message: `connection ${name}, environment ${environmentName}: ${field} must give exactly one of plain, sealed, env or file` };
      }
      inputs[field] = input;
      if (source.kind === 'plain') secrets[field] = { sealed: sealSecret(publicKey, source.value) };
      else if (source.kind === 'sealed') secrets[field] = { sealed: source.value };
      else if (source.kind === 'env') secrets[field] = { env: source.value };
      else secrets[field] = { file: source.value };
    }
    const fingerprint = connectionFingerprint(fingerprintKey, base, inputs);
    return { ok: true, record: { ...base, secrets, fingerprint } };
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    return { ok: false, reason: error.reason, message: `connection ${name}, environment ${environmentName}: ${error.message}` };
  }
}

function parametersOf(connection: Connection, endpoint: ConnectionEndpoint): Record<string, unknown> {
  const auth = connection.spec.auth;
  const scopes = endpoint.scopes ?? auth.scopes;
  const given: Record<string, unknown> = {
    endpoint: endpoint.endpoint,
    username: endpoint.username,
    clientId: endpoint.clientId,
    subject: endpoint.subject,
    certificate: endpoint.certificate,
    caBundle: endpoint.caBundle,
    parameters: endpoint.parameters ? { ...endpoint.parameters } : undefined,
    apiKeyIn: auth.apiKeyIn,
    apiKeyName: auth.apiKeyName,
    tokenUrl: endpoint.tokenUrl ?? auth.tokenUrl,
    scopes: scopes ? [...scopes] : undefined,
    audience: endpoint.audience ?? auth.audience,
    issuer: endpoint.issuer ?? auth.issuer,
    clientAuthentication: endpoint.clientAuthentication ?? auth.clientAuthentication,
  };
  const parameters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) if (value !== undefined) parameters[key] = value;
  return parameters;
}
