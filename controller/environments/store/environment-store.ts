import type { ConnectionRecord, PublishedIntegration } from '../../core/environment-state.ts';
import type { EnvironmentDriver } from '../driver.ts';
import type { KeyPair } from '../../secrets/generate-key-pair.ts';
import type { SqlDialect } from './sql-session.ts';

/** Which database keeps the environment: a SQLite file (one server) or PostgreSQL (several replicas). */
export type StoreKind = SqlDialect;

/**
 * What an environment is kept in: the driver interface the controller sees (observe, lease, apply,
 * log), plus what only the environment itself (the environment server, `intctl invoke`) may do
 * with it. SqlEnvironmentStore implements it once for every database; the driver contract suite
 * runs against each, directly and through the server.
 */
export interface EnvironmentStore extends EnvironmentDriver {
  readonly kind: StoreKind;
  /** The environment's own key pair, to open a sealed secret at the moment a connection is used. Never sent anywhere. */
  keyPair(): KeyPair;
  /** Resolves once the database answers a statement; throws EnvironmentUnavailableError while it cannot be reached. */
  ready(): Promise<void>;
  /** One published integration, read on its own (the runtime reads one per call). */
  integration(name: string): Promise<PublishedIntegration | undefined>;
  /** One connection, as stored: sealed values and references, never opened. */
  connection(name: string): Promise<ConnectionRecord | undefined>;
  /**
   * A change made outside Git by an operator: it changes state without an entry in the action
   * log, so the controller's next plan sees it as drift. False when there was nothing to remove.
   */
  unpublishByHand(name: string): Promise<boolean>;
  /** Stores a connection outside Git, after the same checks an UpsertConnection action gets (throws ActionRefusedError). */
  editConnectionByHand(record: ConnectionRecord): Promise<void>;
}
