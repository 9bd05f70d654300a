import { StalledError } from '../../core/errors.ts';

/** The environment a request names does not exist in the manifests: a mistake of the caller. */
export class UnknownEnvironmentError extends StalledError {
  readonly reason = 'UnknownEnvironment';
}
