/**
 * Text from captures and dumps (interface names, comments, payload-derived strings) must never reach a
 * terminal raw: an ESC sequence could recolour, retitle or rewrite the user's screen. Everything
 * printed that came from input goes through `escapeText`.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(ch: string): string {
  switch (ch) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    case "\u001b":
      return "\\e";
    default: {
      const code = ch.charCodeAt(0);
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`;
    }
  }
}

/** Replaces C0/C1 control characters, line separators and bidi overrides with visible escapes. */
export function escapeText(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/** Like escapeText but keeps newlines and tabs (for multi-line blocks whose layout we built). */
export function escapeKeepingLayout(text: string): string {
  return text.replace(CONTROL, (ch) => (ch === "\n" || ch === "\t" ? ch : escapeChar(ch)));
}
