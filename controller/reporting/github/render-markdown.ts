/**
 * Text helpers of the check-run renderer: making untrusted strings (names and messages from the
 * manifests of a pull request) safe to show in GitHub-flavoured Markdown, and cutting a summary to
 * GitHub's size limit at a line boundary, with a marker that says what it left out. Pure.
 */

/** Control, zero-width and bidirectional-override characters: shown as U+FFFD, never interpreted. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
/**
 * The ASCII punctuation that gives inline Markdown a meaning: escapes, code, emphasis, links and
 * images (no link can form without its brackets), table columns, strikethrough and math. Line-start
 * syntax (headings, lists, quotes) needs nothing: untrusted text never starts a line.
 */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]|~$]/g;
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** The default length of one untrusted string in a summary: long enough for any real name or message. */
export const MAX_TEXT_CHARS = 1000;

/**
 * One line of plain text: line breaks become spaces, invisible and control characters U+FFFD,
 * and anything longer than `maxChars` ends in `…`. Safe to pass to the escapes below.
 */
export function plainText(text: string, maxChars = MAX_TEXT_CHARS): string {
  return truncateText(text.replace(/\r\n|\r|\n|\t/g, ' ').replace(INVISIBLE, '\uFFFD'), maxChars);
}

/** Untrusted text for HTML element content (`<summary>`), never an attribute: one line, `&`, `<` and `>` as entities. */
export function escapeHtml(text: string, maxChars = MAX_TEXT_CHARS): string {
  return plainText(text, maxChars).replace(/[&<>]/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * Untrusted text for Markdown, in a paragraph, a list item or a table cell: it renders as the
 * same characters and never as a link, an image, emphasis, HTML or a new table column.
 */
export function escapeMarkdown(text: string, maxChars = MAX_TEXT_CHARS): string {
  return escapeHtml(text, maxChars).replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`);
}

/** A code span for a value that is safe in one (a commit id, an environment name), else escaped text. */
export function code(text: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._/:-]{0,199}$/.test(text) ? `\`${text}\`` : escapeMarkdown(text);
}

/** At most `maxChars` UTF-16 units, ending in `…` when cut; never splits a surrogate pair. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars <= 0) return '';
  let end = maxChars - 1;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

/** At most `maxBytes` bytes of UTF-8, ending in `…` when cut (for the annotation message's 64 KB). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - 3; // the ellipsis is three bytes
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return `${text.slice(0, end)}…`;
}

/** `1,234`: digits grouped the same way whatever the locale. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1 action`, `2 actions`, `1,234 actions`. */
export function counted(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** One line of a summary, tagged with what it shows, so that a cut can say what it left out. */
export interface SummaryLine {
  text: string;
  /** The table row of one plan action. */
  action?: boolean;
  /** One interface change, in the interface changes section. */
  change?: boolean;
  /** Opens or closes a `<details>` block, which a cut inside it must close. */
  details?: 'open' | 'close';
}

/** What a cut left out. */
export interface Hidden {
  lines: number;
  actions: number;
  changes: number;
}

/**
 * The lines joined by newlines, at most `maxChars` long. When they do not fit, the longest prefix
 * of whole lines that fits together with a closing tail: any `<details>` left open is closed and
 * `marker(hidden)` follows on a line of its own, counted within the limit. The first line (the
 * headline) is always kept; only a limit too small for it and the marker together cuts the
 * headline itself.
 */
export function fitLines(lines: readonly SummaryLine[], maxChars: number, marker: (hidden: Hidden) => string): string {
  const texts = lines.map((l) => l.text);
  const full = texts.join('\n');
  if (full.length <= maxChars) return full;

  // ends[k]: length of the first k lines joined; open[k], and the hidden counts, after k lines.
  const n = lines.length;
  const ends = new Array<number>(n + 1);
  const open = new Array<number>(n + 1);
  ends[0] = 0;
  open[0] = 0;
  for (let k = 1; k <= n; k++) {
    const line = lines[k - 1]!;
    ends[k] = ends[k - 1]! + (k > 1 ? 1 : 0) + line.text.length;
    open[k] = Math.max(0, open[k - 1]! + (line.details === 'open' ? 1 : line.details === 'close' ? -1 : 0));
  }
  const actionsAfter = new Array<number>(n + 1).fill(0);
  const changesAfter = new Array<number>(n + 1).fill(0);
  for (let k = n - 1; k >= 0; k--) {
    actionsAfter[k] = actionsAfter[k + 1]! + (lines[k]!.action ? 1 : 0);
    changesAfter[k] = changesAfter[k + 1]! + (lines[k]!.change ? 1 : 0);
  }

  let k = n - 1;
  while (k > 1 && ends[k]! > maxChars) k--;
  for (; k >= 1; k--) {
    const tail = `${'\n\n</details>'.repeat(open[k]!)}\n\n${marker({ lines: n - k, actions: actionsAfter[k]!, changes: changesAfter[k]! })}`;
    if (ends[k]! + tail.length <= maxChars) return texts.slice(0, k).join('\n') + tail;
  }
  return truncateText(texts[0] ?? '', maxChars);
}
