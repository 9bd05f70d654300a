import { isSpecUrl } from './spec-url.ts';

/** Paths normalized lately: 10,000 integrations name a handful of specifications, asked for on every load. */
const normalized = new Map<string, string | symbol>();
const NONE = Symbol('none');
const REMEMBERED = 4096;

/**
 * The repository-relative form of a path (forward slashes, no `.` segments), or undefined when
 * it is absolute, climbs out of the repository or is a URL (`http://…` is not `http:/…`).
 */
export function normalizeRepoPath(path: string): string | undefined {
  const known = normalized.get(path);
  if (known !== undefined) return known === NONE ? undefined : (known as string);
  const result = normalizeUncached(path);
  if (normalized.size >= REMEMBERED) normalized.clear();
  normalized.set(path, result ?? NONE);
  return result;
}

function normalizeUncached(path: string): string | undefined {
  if (path.includes('\\') || path.includes('\0') || path.startsWith('/') || /^[A-Za-z]:/.test(path) || isSpecUrl(path)) return undefined;
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
