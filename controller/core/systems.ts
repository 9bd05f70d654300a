import type { AuthType, SystemKind } from '../generated/manifests.ts';

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

export type CredentialField = 'username' | 'password' | 'apiKey' | 'clientId' | 'clientSecret' | 'subject' | 'privateKey' | 'certificate';
export type AuthField = 'apiKeyIn' | 'apiKeyName' | 'tokenUrl' | 'scopes' | 'audience';

export interface AuthTraits {
  /** Fields each environment's definition must give. */
  required: readonly CredentialField[];
  /** Further fields it may give. */
  optional: readonly CredentialField[];
  /** Fields of `spec.auth` it needs. */
  authRequired: readonly AuthField[];
  authOptional: readonly AuthField[];
}

/** The credential fields each auth type uses; any other credential field is a mistake. */
export const AUTH_TYPES: Record<AuthType, AuthTraits> = {
  none: { required: [], optional: [], authRequired: [], authOptional: [] },
  basic: { required: ['username', 'password'], optional: [], authRequired: [], authOptional: [] },
  apiKey: { required: ['apiKey'], optional: [], authRequired: ['apiKeyName'], authOptional: ['apiKeyIn'] },
  oauth2ClientCredentials: { required: ['clientId', 'clientSecret'], optional: [], authRequired: ['tokenUrl'], authOptional: ['scopes', 'audience'] },
  oauth2JwtBearer: { required: ['clientId', 'privateKey'], optional: ['subject'], authRequired: ['tokenUrl'], authOptional: ['scopes', 'audience'] },
  clientCertificate: { required: ['certificate', 'privateKey'], optional: ['username'], authRequired: [], authOptional: [] },
};

export const CREDENTIAL_FIELDS: readonly CredentialField[] = ['username', 'password', 'apiKey', 'clientId', 'clientSecret', 'subject', 'privateKey', 'certificate'];
export const AUTH_FIELDS: readonly AuthField[] = ['apiKeyIn', 'apiKeyName', 'tokenUrl', 'scopes', 'audience'];
/** The fields of `spec.auth` that one environment may give for itself. */
export const ENDPOINT_AUTH_FIELDS = ['tokenUrl', 'scopes', 'audience'] as const;
export const SECRET_FIELDS: readonly CredentialField[] = ['password', 'apiKey', 'clientSecret', 'privateKey'];
