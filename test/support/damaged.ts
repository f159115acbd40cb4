import { expect } from "vitest";
import type { Diagnostic } from "../../src/util/diagnostic.js";

/** A dump with one damaged line, and where its diagnostic must point. */
export interface DamagedLine {
  name: string;
  text: string;
  line: number;
  column: number;
  message: RegExp;
}

/** The diagnostic names the file, the damaged line and column, says what is wrong, and quotes the line. */
export function expectAt(d: Diagnostic | undefined, file: string, c: DamagedLine): void {
  expect(d).toBeDefined();
  if (!d) return;
  expect([d.file, d.line, d.column]).toEqual([file, c.line, c.column]);
  expect(d.message).toMatch(c.message);
  expect(d.text).toBe(c.text.split("\n")[c.line - 1]);
}
