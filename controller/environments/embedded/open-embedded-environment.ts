import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { KeyFile } from '../../config/key-file.ts';
import { prepareEnvironment, type PreparedEnvironment } from '../store/prepare-environment.ts';
import { createSqliteSession } from '../store/sqlite-session.ts';
import { SQLITE_SCHEMA_VERSION } from '../store/sqlite-schema-version.ts';
import { toSqliteStoreError } from '../store/to-sqlite-store-error.ts';
import { EmbeddedEnvironment } from './embedded-environment.ts';

export { EnvironmentMismatchError } from '../store/prepare-environment.ts';
export { EnvironmentKeyError } from '../store/stored-keys.ts';

export interface OpenEmbeddedOptions {
  /** The environment's name; a file made for another environment is refused. */
  name: string;
  /** The clock leases expire by and records are stamped with. */
  now?: () => Date;
  /** Create the file and the environment's keys when missing (the default); when false, a missing file is an error. */
  create?: boolean;
  /** How long a write waits for another connection's transaction, in milliseconds. */
  busyTimeoutMs?: number;
  /**
   * The key file that wraps the environment's secret keys in the file (the environment server
   * gives one); without it they are kept as they are, and a file whose keys are wrapped is refused.
   */
  keyFile?: KeyFile;
  /** The key file being rotated away from: keys it wraps are rewrapped with keyFile. */
  previousKeyFile?: KeyFile;
  /** Told how the keys were found and kept, once the file is ready (to log a wrapping). */
  onKeys?: (event: PreparedEnvironment['keys']) => void;
  /**
   * Whether what this store observes is kept for the next store opened on the same file in this
   * process, which then reads only what changed since (the default); false keeps it to this store.
   */
  sharedObservations?: boolean;
}

/** The environment has no store yet; `intctl env init` makes one. */
export class EnvironmentNotInitializedError extends Error {
  readonly reason = 'EnvironmentNotInitialized';
}

/**
 * Opens the embedded environment kept in the SQLite file at `path`, creating it (and its key pair
 * and fingerprint key) when missing. Idempotent: an existing environment keeps its keys. The file
 * is WAL-journaled, waits for other writers rather than failing at once, is brought to the newest
 * schema, and is readable by its owner only, since it holds the environment's private key (wrapped
 * with `keyFile` when one is given).
 */
export async function openEmbeddedEnvironment(path: string, options: OpenEmbeddedOptions): Promise<EmbeddedEnvironment> {
  const create = options.create ?? true;
  const isNew = !existsSync(path);
  if (isNew && !create) {
    throw new EnvironmentNotInitializedError(`environment ${options.name} has no store at ${path}; run intctl env init ${options.name}`);
  }
  const session = createSqliteSession(openFile(path, isNew, create, options.busyTimeoutMs ?? 5000), path);
  const now = options.now ?? (() => new Date());
  try {
    const { keys, ...prepared } = await prepareEnvironment(session, {
      name: options.name,
      now,
      place: path,
      schemaVersion: SQLITE_SCHEMA_VERSION,
      ...(options.keyFile ? { keyFile: options.keyFile } : {}),
      ...(options.previousKeyFile ? { previousKeyFile: options.previousKeyFile } : {}),
    });
    options.onKeys?.(keys);
    const observationKey = options.sharedObservations === false ? {} : { observationKey: `sqlite:${resolve(path)}:${prepared.keyPair.publicKey}` };
    return new EmbeddedEnvironment(session, { name: options.name, path, now, ...prepared, ...observationKey });
  } catch (error) {
    await session.close();
    throw error;
  }
}

/** The connection to the file: made owner-only when new, waiting `busyTimeoutMs` for other writers, WAL-journaled. */
function openFile(path: string, isNew: boolean, create: boolean, busyTimeoutMs: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (isNew) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    db = new Database(path, { fileMustExist: !create });
    if (isNew) chmodSync(path, 0o600);
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`${path}: SQLite would not switch to WAL journaling (it kept ${String(mode)})`);
    return db;
  } catch (error) {
    db?.close();
    throw toSqliteStoreError(error, path);
  }
}
