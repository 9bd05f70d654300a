import Database from 'better-sqlite3';
import { EnvironmentUnavailableError } from '../driver.ts';

/** SQLite result codes that say "not now" rather than "never": another writer, a full or failing disk. */
const TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|PROTOCOL)/;

/**
 * The boundary between SQLite and the controller: a busy, locked, unreadable or full database
 * becomes EnvironmentUnavailableError (retried with backoff); everything else passes unchanged.
 * `where` names the database in the message (its file).
 */
export function toSqliteStoreError(error: unknown, where: string): unknown {
  if (error instanceof Database.SqliteError && TRANSIENT.test(error.code)) {
    const wrapped = new EnvironmentUnavailableError(`${where}: ${error.message} (${error.code})`);
    wrapped.cause = error;
    return wrapped;
  }
  return error;
}
