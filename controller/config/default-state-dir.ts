import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';

/**
 * The state directory of one repository when none is given: `<stateHome>/intctl/<name>-<hash>`,
 * where name is the repository directory's own (readable in a listing) and hash the start of the
 * SHA-256 of its real path, so two repositories never share an environment's file, however alike
 * their names and their environments'. Outside the work tree, so the environment's private key is
 * never committed with the manifests. Pure: `repository` is already a real path.
 */
export function defaultStateDir(stateHome: string, repository: string): string {
  const name = basename(repository).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|-+$/g, '').slice(0, 40) || 'repository';
  const hash = createHash('sha256').update(repository).digest('hex').slice(0, 12);
  return join(stateHome, 'intctl', `${name}-${hash}`);
}
