import { SqlEnvironmentStore, type SqlEnvironmentStoreParts } from '../store/sql-environment-store.ts';
import type { SqlSession } from '../store/sql-session.ts';

/** What an EmbeddedEnvironment is made of; openEmbeddedEnvironment builds it. */
export interface EmbeddedParts extends SqlEnvironmentStoreParts {
  /** The SQLite file. */
  path: string;
  /** True when this open created the environment and its keys. */
  created: boolean;
}

/**
 * An environment kept in one SQLite file: the environment store over a SQLite session, plus
 * where its file is. Every write runs in an immediate transaction, so a second driver on the same
 * file (another process, another replica) waits its turn.
 */
export class EmbeddedEnvironment extends SqlEnvironmentStore {
  readonly path: string;
  readonly created: boolean;

  constructor(session: SqlSession, parts: EmbeddedParts) {
    super(session, parts);
    this.path = parts.path;
    this.created = parts.created;
  }
}
