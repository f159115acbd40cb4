/**
 * iptables-save's word splitting: words separated by spaces, a word in double quotes may hold spaces,
 * and inside quotes a backslash escapes the next character (iptables quotes comments that way).
 */
export interface Word {
  text: string;
  /** 1-based column of the word's first character in the line. */
  column: number;
}

export type Words = { ok: true; words: Word[] } | { ok: false; column: number; message: string };

export function splitWords(line: string): Words {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === " " || line[i] === "\t") {
      i++;
      continue;
    }
    const column = i + 1;
    let text = "";
    let quoted = false;
    while (i < line.length && (quoted || (line[i] !== " " && line[i] !== "\t"))) {
      const c = line[i];
      if (c === '"') quoted = !quoted;
      else if (c === "\\" && quoted && i + 1 < line.length) text += line[++i];
      else text += c;
      i++;
    }
    if (quoted) return { ok: false, column, message: "unterminated quote" };
    words.push({ text, column });
  }
  return { ok: true, words };
}

/** Quotes a word as iptables-save does: only when it holds a space or a quote. */
export function quoteWord(text: string): string {
  return /[\s"\\]/.test(text) || text === "" ? `"${text.replace(/(["\\])/g, "\\$1")}"` : text;
}
