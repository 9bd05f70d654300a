/**
 * What git said, on one line: the lines of its message that carry something, at most 1,000
 * characters. Git with prompts disabled reports refused credentials as a username it could not
 * read; that is said plainly. Redact before showing.
 */
export function describeGitError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const said = (lines.join('; ') || 'git failed').slice(0, 1000);
  if (/could not read (Username|Password) for .*terminal prompts disabled/i.test(said)) {
    return `authentication failed: the remote asked for credentials, and refused those configured if any (${said})`;
  }
  return said;
}
