/**
 * A JSON document whose first member is a list written item by item, as each is made: the text is the
 * one `toJson({ [list]: items, ...rest })` would print (two-space indentation), but no item is kept once
 * it is written. `replay --json` kept every frame's verdict (hops, tree, steps) and stringified them all
 * at the end: ~20,000 frames passed V8's longest string and ended in a RangeError, and memory grew with
 * the capture.
 */
import { toJson } from "./commands/hosts.js";
import { out } from "./io.js";

export class JsonListStream {
  private items = 0;

  /** The document's first member, the list, is `list` (nothing is written before the first item or end). */
  constructor(private readonly list: string) {}

  /** Writes one item of the list, indented as it is inside the document. */
  item(value: unknown): void {
    // The list's opening before the first item, a comma after each other: each ends its line.
    if (this.items === 0) out(`{\n  ${JSON.stringify(this.list)}: [`);
    else out(",");
    // A JSON text holds no raw newline inside a string: each line of the item is one of its lines.
    out(`    ${toJson(value).replaceAll("\n", "\n    ")}`, false);
    this.items++;
  }

  /** Ends the list and writes the document's other members, as toJson prints them. */
  end(rest: Record<string, unknown>): void {
    const members = toJson(rest);
    // toJson of the rest: "{}" or "{\n  …\n}"; its members follow the list's, after a comma.
    const tail = members === "{}" ? "\n}" : `,\n${members.slice(2)}`;
    if (this.items === 0) out(`{\n  ${JSON.stringify(this.list)}: []${tail}`);
    else out(`\n  ]${tail}`);
  }
}
