import { StalledError } from '../core/errors.ts';

/**
 * Why the secret manager refused something. All of them need a human (a wrong key, a damaged or
 * mistyped value, a connection not defined for the environment): retrying cannot help.
 *
 * - `SecretUnsealFailed`: a sealed value does not open with the environment's key pair (sealed
 *   to another environment, or altered).
 * - `InvalidKey`: a public, private or fingerprint key is not base64 of the right length.
 * - `InvalidSecretValue`: a secret value gives none, or more than one, of plain, sealed, env, file.
 * - `ConnectionNotDefined`: the connection has no definition for the environment.
 *
 * Messages never hold a secret value.
 */
export type SecretErrorReason = 'SecretUnsealFailed' | 'InvalidKey' | 'InvalidSecretValue' | 'ConnectionNotDefined';

/** A refusal of the secret manager, as a value. */
export interface SecretFailure {
  ok: false;
  reason: SecretErrorReason;
  message: string;
}

/** Thrown only where the caller passed a key it holds itself (a bug or a damaged store, never user input). */
export class SecretError extends StalledError {
  constructor(
    readonly reason: SecretErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'SecretError';
  }
}
