import type { ConnectionRecord } from '../../core/environment-state.ts';
import { connectionFingerprint } from '../../secrets/connection-fingerprint.ts';

/**
 * The fingerprint of a connection an operator stored by hand: the environment's keyed fingerprint
 * over what was stored (sealed values and references as given). It never equals what the
 * controller last applied unless the same inputs were given, so the controller sees the edit.
 */
export function manualFingerprint(fingerprintKey: string, record: Omit<ConnectionRecord, 'fingerprint'>): string {
  const { secrets, ...rest } = record;
  return `manual-${connectionFingerprint(fingerprintKey, rest, secrets)}`;
}
