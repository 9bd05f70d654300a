import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { generateFingerprintKey } from '../../secrets/connection-fingerprint.ts';
import { generateKeyPair } from '../../secrets/generate-key-pair.ts';
import { EmbeddedEnvironment } from './embedded-environment.ts';
import { migrate } from './migrations.ts';
import type { MetaRow } from './rows.ts';
import { toDriverError } from './to-driver-error.ts';

export interface OpenEmbeddedOptions {
  /** The environment's name; a file made for another environment is refused. */
  name: string;
  /** The clock leases expire by and records are stamped with. */
  now?: () => Date;
  /** Create the file and the environment's keys when missing (the default); when false, a missing file is an error. */
  create?: boolean;
  /** How long a write waits for another connection's transaction, in milliseconds. */
  busyTimeoutMs?: number;
}

/** The file holds another environment: a path in an Environment manifest points at the wrong store. */
export class EnvironmentMismatchError extends Error {
  readonly reason = 'EnvironmentMismatch';
}

/** The environment has no store yet; `intctl env init` makes one. */
export class EnvironmentNotInitializedError extends Error {
  readonly reason = 'EnvironmentNotInitialized';
}

/**
 * Opens the embedded environment kept in the SQLite file at `path`, creating it (and its key pair
 * and fingerprint key) when missing. Idempotent: an existing environment keeps its keys. The file
 * is WAL-journaled, waits for other writers rather than failing at once, is brought to the newest
 * schema, and is readable by its owner only, since it holds the environment's private key.
 */
export async function openEmbeddedEnvironment(path: string, options: OpenEmbeddedOptions): Promise<EmbeddedEnvironment> {
  const create = options.create ?? true;
  const isNew = !existsSync(path);
  if (isNew && !create) {
    throw new EnvironmentNotInitializedError(`environment ${options.name} has no store at ${path}; run intctl env init ${options.name}`);
  }
  let db: Database.Database | undefined;
  try {
    if (isNew) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    db = new Database(path, { fileMustExist: !create });
    if (isNew) chmodSync(path, 0o600);
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`${path}: SQLite would not switch to WAL journaling (it kept ${String(mode)})`);
    migrate(db, path);
    const now = options.now ?? (() => new Date());
    const { meta, created } = ensureMeta(db, options.name, now);
    if (meta.environment !== options.name) {
      throw new EnvironmentMismatchError(`${path} holds environment ${meta.environment}, not ${options.name}`);
    }
    return new EmbeddedEnvironment({
      name: options.name,
      path,
      db,
      now,
      keyPair: { publicKey: meta.public_key, privateKey: meta.private_key },
      fingerprintKey: meta.fingerprint_key,
      created,
    });
  } catch (error) {
    db?.close();
    throw toDriverError(error, path);
  }
}

function ensureMeta(db: Database.Database, name: string, now: () => Date): { meta: MetaRow; created: boolean } {
  const read = db.prepare<[], MetaRow>('SELECT environment, public_key, private_key, fingerprint_key, created_at FROM meta WHERE id = 1');
  return db
    .transaction(() => {
      const existing = read.get();
      if (existing) return { meta: existing, created: false };
      const keys = generateKeyPair();
      const meta: MetaRow = {
        environment: name,
        public_key: keys.publicKey,
        private_key: keys.privateKey,
        fingerprint_key: generateFingerprintKey(),
        created_at: now().toISOString(),
      };
      db.prepare('INSERT INTO meta (id, environment, public_key, private_key, fingerprint_key, created_at) VALUES (1, @environment, @public_key, @private_key, @fingerprint_key, @created_at)').run(meta);
      return { meta, created: true };
    })
    .immediate();
}
