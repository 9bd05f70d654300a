import { StalledError } from '../../core/errors.ts';

/**
 * Why the http driver cannot work with an environment server, beyond the driver's own errors
 * (LeaseLostError, ActionRefusedError, EnvironmentUnavailableError). Each needs a human:
 *
 * - `EnvironmentUnauthorized`: the server refused the controller's token (401) or its scope (403).
 * - `EnvironmentMismatch`: the server at spec.url serves another environment.
 * - `EnvironmentProtocolError`: the server answered something the Environment API does not allow.
 * - `TokenUnavailable`: spec.token is missing, or names a variable or file that cannot be read.
 */
export type HttpEnvironmentReason = 'EnvironmentUnauthorized' | 'EnvironmentMismatch' | 'EnvironmentProtocolError' | 'TokenUnavailable';

export class HttpEnvironmentError extends StalledError {
  constructor(
    readonly reason: HttpEnvironmentReason,
    message: string,
  ) {
    super(message);
    this.name = 'HttpEnvironmentError';
  }
}
