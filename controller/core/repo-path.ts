/**
 * The repository-relative form of a path (forward slashes, no `.` segments), or undefined when
 * it is absolute or climbs out of the repository.
 */
export function normalizeRepoPath(path: string): string | undefined {
  if (path.includes('\\') || path.includes('\0') || path.startsWith('/') || /^[A-Za-z]:/.test(path)) return undefined;
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return out.length === 0 ? undefined : out.join('/');
}

/**
 * The state-directory-relative form of an embedded environment's `spec.path`, or undefined when
 * it is absolute or climbs out: a store (and the private key in it) lives in the state directory
 * only, wherever a manifest in a pull request would like to put it.
 */
export function normalizeStorePath(path: string): string | undefined {
  return normalizeRepoPath(path);
}
