// Generated from crds/ by `npm run generate:types`. Do not edit.

export type SystemKind = 'openapi' | 'odata' | 'postgresql' | 'mysql';
export type Operation = 'Get' | 'Search' | 'Count' | 'Create' | 'Update' | 'Delete';

/**
 * What to generate for one external system: the generator, the specification it is generated from, the entities, operations and functions selected, the connection it binds to and the environments it is published to.
 */
export interface Integration {
  apiVersion: 'intctl.dev/v1alpha1';
  kind: 'Integration';
  metadata: ObjectMeta;
  spec: IntegrationSpec;
  status?: IntegrationStatus;
}
export interface ObjectMeta {
  /**
   * The name of the object, unique per kind: lower-case letters, digits and dashes.
   */
  name: string;
  namespace?: string;
  labels?: {
    [k: string]: string | undefined;
  };
  annotations?: {
    [k: string]: string | undefined;
  };
}
export interface IntegrationSpec {
  system: SystemKind;
  /**
   * A sentence for the people who call this integration.
   */
  description?: string;
  source: IntegrationSource;
  /**
   * The entities to generate. When omitted, every entity of the specification is generated with every operation it supports.
   *
   * @maxItems 1000
   */
  entities?: EntitySelection[];
  /**
   * Functions of the system (OData function imports and actions, OpenAPI operations that are not create, read, update or delete) to expose as actions. When omitted, EVERY function of the specification is published (for GitHub's description, over a thousand actions, deletions included); list the ones the integration needs, or give an empty list for none.
   *
   * @maxItems 1000
   */
  functions?: string[];
  /**
   * The Connection this integration authenticates with, bound by name in every target environment.
   */
  connection: string;
  /**
   * The Environments this integration is published to.
   *
   * @minItems 1
   * @maxItems 100
   */
  environments: string[];
  /**
   * Database systems: what a NULL read becomes. passthrough (the default): null; typeDefaults: the type's default where it has one ('' for text, 0 for numbers, false, an empty list), so those attributes are never null.
   */
  nulls?: 'passthrough' | 'typeDefaults';
  /**
   * Stop reconciling this integration; what is published stays as it is.
   */
  suspend?: boolean;
}
export interface IntegrationSource {
  /**
   * Path of the specification document, relative to the repository root. It must exist and stay inside the repository.
   */
  path?: string;
  /**
   * The OData version of the metadata document; detected when omitted.
   */
  odataVersion?: 'v2' | 'v4';
  introspect?: IntrospectSource;
}
export interface IntrospectSource {
  /**
   * The database schema to read (one; postgresql default public, mysql default the connection's database).
   *
   * @maxItems 64
   */
  schemas?: string[];
}
export interface EntitySelection {
  /**
   * The entity as the specification names it (entity set, resource or table).
   */
  name: string;
  /**
   * The operations to generate; when omitted, every operation the system supports.
   *
   * @maxItems 6
   */
  operations?: Operation[];
  /**
   * The attributes to expose; when omitted, every attribute.
   *
   * @maxItems 1000
   */
  attributes?: string[];
}
export interface IntegrationStatus {
  /**
   * Ready, Reconciling, Stalled, AwaitingApproval, Drifted and CertificatesExpiring, per environment.
   *
   * @maxItems 256
   */
  conditions?: Condition[];
  /**
   * What is published in each environment.
   *
   * @maxItems 100
   */
  published?: PublishedArtifact[];
}
export interface Condition {
  type: 'Ready' | 'Reconciling' | 'Stalled' | 'AwaitingApproval' | 'Drifted' | 'CertificatesExpiring';
  status: 'True' | 'False' | 'Unknown';
  /**
   * The environment this condition speaks of.
   */
  environment?: string;
  /**
   * Why, as a CamelCase constant (GitFetchFailed, ValidationFailed, ...).
   */
  reason: string;
  message?: string;
  /**
   * The Git commit this condition was computed at.
   */
  observedCommit?: string;
  lastTransitionTime: string;
}
export interface PublishedArtifact {
  environment: string;
  version?: string;
  artifactHash: string;
  commit?: string;
}

export type AuthType =
  'none' | 'basic' | 'apiKey' | 'oauth2ClientCredentials' | 'oauth2JwtBearer' | 'clientCertificate';

/**
 * How integrations authenticate at run time, defined per environment: the endpoint, the auth type and its secret values, which are sealed or referenced, never plain text outside environments that allow it.
 */
export interface Connection {
  apiVersion: 'intctl.dev/v1alpha1';
  kind: 'Connection';
  metadata: ObjectMeta;
  spec: ConnectionSpec;
  status?: ConnectionStatus;
}
export interface ConnectionSpec {
  system: SystemKind;
  description?: string;
  auth: ConnectionAuth;
  /**
   * The connection as each environment uses it, keyed by environment name.
   */
  environments: {
    [k: string]: ConnectionEndpoint | undefined;
  };
}
export interface ConnectionAuth {
  type: AuthType;
  /**
   * Where an API key is sent (apiKey).
   */
  apiKeyIn?: 'header' | 'query';
  /**
   * The header or query parameter that carries the API key (apiKey).
   */
  apiKeyName?: string;
  /**
   * The OAuth 2.0 token endpoint (oauth2ClientCredentials, oauth2JwtBearer).
   */
  tokenUrl?: string;
  /**
   * OAuth 2.0 scopes to request.
   *
   * @maxItems 64
   */
  scopes?: string[];
  /**
   * The audience of the signed assertion (oauth2JwtBearer; the token endpoint when not given), or the audience parameter sent with a client credentials request (oauth2ClientCredentials).
   */
  audience?: string;
  /**
   * The authorization server's issuer URL: its token endpoint is read from the issuer's metadata (OpenID Connect discovery, RFC 8414) when tokenUrl is not given (oauth2ClientCredentials, oauth2JwtBearer).
   */
  issuer?: string;
  /**
   * How the client authenticates at the token endpoint: client_secret_basic (the default with a clientSecret), client_secret_post, private_key_jwt (an assertion signed with privateKey, with the x5t and x5t#S256 of certificate in its header, as Entra ID expects), tls_client_auth and self_signed_tls_client_auth (the client certificate over mutual TLS, RFC 8705), or none (only client_id; the default of oauth2JwtBearer without a clientSecret).
   */
  clientAuthentication?:
    | 'client_secret_basic'
    | 'client_secret_post'
    | 'private_key_jwt'
    | 'tls_client_auth'
    | 'self_signed_tls_client_auth'
    | 'none';
}
export interface ConnectionEndpoint {
  /**
   * The base URL of the service, or the database URL (postgresql://host:port/database, mysql://host:port/database; TLS as sslmode=require or verify-full).
   */
  endpoint: string;
  /**
   * The user name (basic, and the database user of postgresql and mysql).
   */
  username?: string;
  password?: SecretValue;
  apiKey?: SecretValue;
  /**
   * The OAuth 2.0 client id (oauth2ClientCredentials, oauth2JwtBearer).
   */
  clientId?: string;
  clientSecret?: SecretValue;
  /**
   * The user the signed assertion speaks for (oauth2JwtBearer).
   */
  subject?: string;
  privateKey?: SecretValue;
  /**
   * The PEM certificate of privateKey (and its chain), public, so given as text: the client certificate of mutual TLS, and the x5t of signed assertions. Not needed when privateKey is PKCS#12.
   */
  certificate?: string;
  keyPassword?: SecretValue;
  /**
   * PEM certificates of the authorities this environment trusts for the endpoint and the token endpoint, in place of the system's (a private CA).
   */
  caBundle?: string;
  /**
   * This environment's client authentication, in place of spec.auth.clientAuthentication (to move from a client secret to a certificate one environment at a time).
   */
  clientAuthentication?:
    | 'client_secret_basic'
    | 'client_secret_post'
    | 'private_key_jwt'
    | 'tls_client_auth'
    | 'self_signed_tls_client_auth'
    | 'none';
  /**
   * This environment's issuer, in place of spec.auth.issuer (an Entra tenant differs per environment).
   */
  issuer?: string;
  /**
   * This environment's OAuth 2.0 token endpoint, in place of spec.auth.tokenUrl.
   */
  tokenUrl?: string;
  /**
   * This environment's OAuth 2.0 scopes, in place of spec.auth.scopes (Dataverse scopes name the organization).
   *
   * @maxItems 64
   */
  scopes?: string[];
  /**
   * This environment's assertion audience, in place of spec.auth.audience.
   */
  audience?: string;
  /**
   * Further non-secret parameters sent with every request (an SAP client number, say).
   */
  parameters?: {
    [k: string]: string | undefined;
  };
}
export interface SecretValue {
  /**
   * The value in plain text; refused unless the environment's policy allows plain secrets.
   */
  plain?: string;
  /**
   * The value sealed to the environment's public key with `intctl seal`.
   */
  sealed?: string;
  /**
   * The name of an environment variable that holds the value where the connection is used.
   */
  env?: string;
  /**
   * The path of a file that holds the value (a mounted Kubernetes Secret).
   */
  file?: string;
}
export interface ConnectionStatus {
  /**
   * Ready, Reconciling, Stalled, AwaitingApproval, Drifted and CertificatesExpiring, per environment.
   *
   * @maxItems 256
   */
  conditions?: Condition[];
  /**
   * A keyed fingerprint of the connection in each environment, which shows a change without revealing a secret.
   */
  fingerprints?: {
    [k: string]: string | undefined;
  };
}
/**
 * A place where integrations are published: its driver and address, its policy, its promotion order and the pinned versions of its shared dependencies.
 */
export interface Environment {
  apiVersion: 'intctl.dev/v1alpha1';
  kind: 'Environment';
  metadata: ObjectMeta;
  spec: EnvironmentSpec;
  status?: EnvironmentStatus;
}
export interface EnvironmentSpec {
  /**
   * How the environment is reached. embedded keeps it in a local SQLite file; http reaches an environment server.
   */
  driver: 'embedded' | 'http';
  description?: string;
  /**
   * The environment server's base URL (http).
   */
  url?: string;
  /**
   * The SQLite file of an embedded environment, relative to the controller's state directory and inside it (absolute paths and .. out of it are refused).
   */
  path?: string;
  token?: SecretValue;
  /**
   * An environment this one follows. A commit is applied here only once that environment is Ready at the same commit.
   */
  promotesFrom?: string;
  policy?: EnvironmentPolicy;
  dependencies?: DependencyPins;
  /**
   * Stop reconciling this environment; what is applied stays as it is.
   */
  suspend?: boolean;
}
export interface EnvironmentPolicy {
  /**
   * Apply a plan as soon as its gate allows; when false, plans wait for `intctl apply`.
   */
  autoApply?: boolean;
  /**
   * Approving pull-request reviews a commit needs before it is applied here.
   */
  requiredApprovals?: number;
  /**
   * The users whose approvals count; when omitted, any reviewer with write access.
   *
   * @maxItems 256
   */
  approvers?: string[];
  /**
   * Whether a breaking interface change may be applied; when false the plan is blocked.
   */
  allowBreaking?: boolean;
  /**
   * Unpublish integrations and delete connections that Git no longer names.
   */
  prune?: boolean;
  /**
   * The largest share (0 to 1) of the environment's published integrations one plan may unpublish; a plan that would unpublish more is refused until this is raised (1 allows any prune). A guard against a manifest that failed to load, or a mistaken deletion, emptying an environment.
   */
  maxPruneShare?: number;
  /**
   * Correct drift (changes made outside Git) instead of only reporting it.
   */
  selfHeal?: boolean;
  /**
   * Accept secret values in plain text; meant for local development only.
   */
  plainSecrets?: boolean;
}
export interface DependencyPins {
  'integration-utils'?: string;
  'common-shared-services'?: string;
  'secret-manager'?: string;
  'integration-manager'?: string;
  'sharepoint-utils'?: string;
}
export interface EnvironmentStatus {
  /**
   * Ready, Reconciling, Stalled, AwaitingApproval, Drifted and CertificatesExpiring, per environment.
   *
   * @maxItems 256
   */
  conditions?: Condition[];
  lastAppliedCommit?: string;
  lastAppliedTime?: string;
  /**
   * The versions installed now.
   */
  dependencies?: {
    [k: string]: string | undefined;
  };
}