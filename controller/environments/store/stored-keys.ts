import type { KeyFile } from '../../config/key-file.ts';
import { isWrapped, unwrapKey, wrapKey, type WrapLabel } from '../../secrets/wrap-key.ts';

/** The two secret keys of an environment, as the meta table's columns hold them: in the clear, or wrapped. */
export interface StoredKeys {
  private_key: string;
  fingerprint_key: string;
}

/**
 * What opening the stored keys did: `clear`, kept in the clear (no key file given, the embedded
 * CLI's own file); `opened`, unwrapped with the key file; `wrapped`, found in the clear and
 * wrapped now; `rewrapped`, found wrapped with the previous key file and wrapped with the new one.
 */
export type KeyEvent = 'clear' | 'opened' | 'wrapped' | 'rewrapped';

/**
 * The environment's keys cannot be opened with what was given: `KeyFileRequired`, they are
 * wrapped and no key file was given; `WrongKeyFile`, the key file given (and the previous one, if
 * any) does not open them; `UnknownKeyFormat`, a wrapping this intctl cannot read. Needs a human;
 * the message names the database and the key file, never a key.
 */
export class EnvironmentKeyError extends Error {
  constructor(
    readonly reason: 'KeyFileRequired' | 'WrongKeyFile' | 'UnknownKeyFormat',
    message: string,
  ) {
    super(message);
    this.name = 'EnvironmentKeyError';
  }
}

export interface KeyFiles {
  keyFile?: KeyFile;
  previousKeyFile?: KeyFile;
}

const COLUMNS = ['private_key', 'fingerprint_key'] as const;

/** The stored form of freshly made keys: wrapped with the key file when one is given. */
export function storeKeys(environment: string, keys: StoredKeys, files: KeyFiles): StoredKeys {
  const { keyFile } = files;
  if (!keyFile) return keys;
  return { private_key: wrapKey(keyFile.key, label(environment, 'private_key'), keys.private_key), fingerprint_key: wrapKey(keyFile.key, label(environment, 'fingerprint_key'), keys.fingerprint_key) };
}

/**
 * Opens the keys as stored, and says what to store instead when that must change: clear keys
 * found with a key file are wrapped with it; keys wrapped with the previous key file are wrapped
 * with the new one. Throws EnvironmentKeyError when they cannot be opened. `place` names the
 * database (a file, a schema). Pure: the caller writes `restore` in the transaction it read in.
 */
export function openStoredKeys(environment: string, stored: StoredKeys, files: KeyFiles, place: string): { keys: StoredKeys; event: KeyEvent; restore?: StoredKeys } {
  const wrapped = COLUMNS.filter((column) => isWrapped(stored[column]));
  const { keyFile, previousKeyFile } = files;
  if (wrapped.length === 0) {
    if (!keyFile) return { keys: stored, event: 'clear' };
    return { keys: stored, event: 'wrapped', restore: storeKeys(environment, stored, files) };
  }
  if (!keyFile) {
    throw new EnvironmentKeyError(
      'KeyFileRequired',
      `the keys of environment ${environment} in ${place} are wrapped with a key file, and no key file was given: only an environment server given that key file (intctl environment serve --key-file, or INTCTL_ENVIRONMENT_KEY_FILE) opens this store`,
    );
  }
  const current = tryOpen(environment, stored, keyFile, place);
  if (current) return { keys: current, event: 'opened', ...(wrapped.length < COLUMNS.length ? { restore: storeKeys(environment, current, files) } : {}) };
  const previous = previousKeyFile ? tryOpen(environment, stored, previousKeyFile, place) : undefined;
  if (previous) return { keys: previous, event: 'rewrapped', restore: storeKeys(environment, previous, files) };
  const tried = previousKeyFile ? `neither the key file ${keyFile.path} nor the previous key file ${previousKeyFile.path} opens` : `the key file ${keyFile.path} does not open`;
  throw new EnvironmentKeyError(
    'WrongKeyFile',
    `${tried} the keys of environment ${environment} in ${place}: they were wrapped with another key file (or altered); nothing was changed. Give the key file this environment was started with`,
  );
}

/** The clear keys when `file` opens every wrapped one, undefined when it opens none of them. */
function tryOpen(environment: string, stored: StoredKeys, file: KeyFile, place: string): StoredKeys | undefined {
  const out: StoredKeys = { ...stored };
  for (const column of COLUMNS) {
    if (!isWrapped(stored[column])) continue;
    const opened = unwrapKey(file.key, label(environment, column), stored[column]);
    if (opened.ok) {
      out[column] = opened.key;
      continue;
    }
    if (opened.reason === 'UnknownFormat') throw new EnvironmentKeyError('UnknownKeyFormat', `the ${column.replace('_', ' ')} of environment ${environment} in ${place}: ${opened.message}`);
    return undefined;
  }
  return out;
}

function label(environment: string, purpose: (typeof COLUMNS)[number]): WrapLabel {
  return { environment, purpose };
}
