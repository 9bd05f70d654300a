// Matching control characters is the point here.
/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a repository or a request made safe to print on a terminal: control characters (C0,
 * DEL, C1, which carry escape sequences that clear the screen, move the cursor or fake output)
 * and the bidirectional overrides that reorder what is shown become visible `\u001b` escapes.
 * Newlines and tabs too unless kept (`keepLayout`, for whole outputs), so one problem stays one
 * line. The problem formatter uses it, and the CLI's output passes through it.
 */
export function printable(text: string, options: { keepLayout?: boolean } = {}): string {
  return text.replace(options.keepLayout ? CONTROL_BUT_LAYOUT : CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
