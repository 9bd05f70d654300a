import { StalledError } from '../core/errors.ts';

/**
 * Why an environment refuses an action before changing anything. Each needs a human (the plan or
 * the manifests are wrong): retrying the same action cannot help.
 *
 * - `PlainSecretRefused`: a connection carries a secret in the clear; environments store only
 *   sealed values and env/file references.
 * - `SecretUnsealFailed`: a sealed secret does not open with this environment's key pair (it was
 *   sealed to another environment, or altered).
 * - `InvalidAction`: the action is malformed (an unknown type, a missing name or value).
 */
export type ActionRefusedReason = 'PlainSecretRefused' | 'SecretUnsealFailed' | 'InvalidAction';

/** An action the environment will not apply; nothing was changed and nothing logged. */
export class ActionRefusedError extends StalledError {
  constructor(
    readonly reason: ActionRefusedReason,
    message: string,
  ) {
    super(message);
    this.name = 'ActionRefusedError';
  }
}
