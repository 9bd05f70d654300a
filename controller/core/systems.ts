import type { AuthType, ConnectionAuth, SystemKind } from '../generated/manifests.ts';

export interface SystemTraits {
  /**
   * Where the specification comes from: a document in the repository (`path`), or a schema
   * snapshot in the repository that `intctl introspect --write` reads from the system itself
   * (`snapshot`: `spec.source.introspect` may say what to read).
   */
  source: 'path' | 'snapshot';
  /** The auth types a connection of this system may use. */
  auth: readonly AuthType[];
  /** URL schemes a connection endpoint of this system may use. */
  schemes: readonly string[];
}

const HTTP_AUTH: readonly AuthType[] = ['none', 'basic', 'apiKey', 'oauth2ClientCredentials', 'oauth2JwtBearer', 'clientCertificate'];

/** What each system kind supports; validation checks manifests against it. */
export const SYSTEMS: Record<SystemKind, SystemTraits> = {
  openapi: { source: 'path', auth: HTTP_AUTH, schemes: ['https:', 'http:'] },
  odata: { source: 'path', auth: HTTP_AUTH, schemes: ['https:', 'http:'] },
  postgresql: { source: 'snapshot', auth: ['basic', 'clientCertificate'], schemes: ['postgresql:', 'postgres:'] },
  mysql: { source: 'snapshot', auth: ['basic'], schemes: ['mysql:', 'mariadb:'] },
};

export type CredentialField = 'username' | 'password' | 'apiKey' | 'clientId' | 'clientSecret' | 'subject' | 'privateKey' | 'certificate' | 'keyPassword' | 'caBundle';
export type AuthField = 'apiKeyIn' | 'apiKeyName' | 'tokenUrl' | 'scopes' | 'audience' | 'issuer' | 'clientAuthentication';
export type ClientAuthentication = NonNullable<ConnectionAuth['clientAuthentication']>;

export interface AuthTraits {
  /** Fields each environment's definition must give. */
  required: readonly CredentialField[];
  /** Further fields it may give. */
  optional: readonly CredentialField[];
  /** Fields of `spec.auth` it needs. */
  authRequired: readonly AuthField[];
  authOptional: readonly AuthField[];
}

const OAUTH_FIELDS: readonly AuthField[] = ['tokenUrl', 'issuer', 'scopes', 'audience', 'clientAuthentication'];

/**
 * The credential fields each auth type uses; any other credential field is a mistake. The OAuth
 * types need a tokenUrl or an issuer (checked apart), and the fields their client
 * authentication needs (CLIENT_AUTHENTICATION).
 */
export const AUTH_TYPES: Record<AuthType, AuthTraits> = {
  none: { required: [], optional: ['caBundle'], authRequired: [], authOptional: [] },
  basic: { required: ['username', 'password'], optional: ['caBundle'], authRequired: [], authOptional: [] },
  apiKey: { required: ['apiKey'], optional: ['caBundle'], authRequired: ['apiKeyName'], authOptional: ['apiKeyIn'] },
  oauth2ClientCredentials: { required: ['clientId'], optional: ['clientSecret', 'privateKey', 'certificate', 'keyPassword', 'caBundle'], authRequired: [], authOptional: OAUTH_FIELDS },
  oauth2JwtBearer: { required: ['clientId', 'privateKey'], optional: ['subject', 'clientSecret', 'certificate', 'keyPassword', 'caBundle'], authRequired: [], authOptional: OAUTH_FIELDS },
  clientCertificate: { required: ['privateKey'], optional: ['certificate', 'username', 'keyPassword', 'caBundle'], authRequired: [], authOptional: [] },
};

/** The credential fields each client authentication method needs, besides clientId. */
export const CLIENT_AUTHENTICATION: Record<ClientAuthentication, readonly CredentialField[]> = {
  client_secret_basic: ['clientSecret'],
  client_secret_post: ['clientSecret'],
  private_key_jwt: ['privateKey'],
  tls_client_auth: ['privateKey'],
  self_signed_tls_client_auth: ['privateKey'],
  none: [],
};

/** How an OAuth connection authenticates its client when spec.auth does not say: with its secret for client credentials, only by its assertion for the JWT bearer grant. */
export function clientAuthenticationOf(authType: AuthType, given: ClientAuthentication | undefined): ClientAuthentication {
  return given ?? (authType === 'oauth2JwtBearer' ? 'none' : 'client_secret_basic');
}

export const CREDENTIAL_FIELDS: readonly CredentialField[] = ['username', 'password', 'apiKey', 'clientId', 'clientSecret', 'subject', 'privateKey', 'certificate', 'keyPassword', 'caBundle'];
export const AUTH_FIELDS: readonly AuthField[] = ['apiKeyIn', 'apiKeyName', 'tokenUrl', 'scopes', 'audience', 'issuer', 'clientAuthentication'];
/** The fields of `spec.auth` that one environment may give for itself. */
export const ENDPOINT_AUTH_FIELDS = ['tokenUrl', 'scopes', 'audience', 'issuer', 'clientAuthentication'] as const;
export const SECRET_FIELDS: readonly CredentialField[] = ['password', 'apiKey', 'clientSecret', 'privateKey', 'keyPassword'];
