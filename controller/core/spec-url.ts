/** `https://…`, `http://…`, `ftp://…`: a `spec.source.path` that names a URL rather than a file. */
const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** True when a specification path is a URL (a live `$metadata` or OpenAPI address), kept as given. */
export function isSpecUrl(path: string): boolean {
  return URL_LIKE.test(path);
}

/**
 * What to say when `spec.source.path` is a URL: generation reads specifications from files
 * committed to the repository only (so a plan is reproducible from Git and never calls a live
 * service), and `intctl introspect` is how the file is fetched. The URL is printed as given.
 */
export function specUrlMessage(path: string, integration: string, system: string): string {
  const said = `${path} is a URL; specifications are read from files committed to the repository, never fetched at plan time`;
  if (system === 'odata') {
    return `${said}. Give a repository path (for instance specs/${integration}.edmx) and fetch the file into it with intctl introspect ${integration} --env <environment> --url ${path} --write`;
  }
  return `${said}. Download the document, commit it, and give its repository path (for instance specs/${integration}.yaml)`;
}
