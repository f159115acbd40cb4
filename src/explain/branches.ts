/**
 * Questions about a verdict's branches, asked by the drop summary, conversations, display filters, the
 * exit status and the TUI: a frame flooded to three hosts and dropped on one counts as dropped there,
 * wherever else it went.
 */
import type { BranchKind, DropExplanation, FrameVerdict, VerdictBranch, VerdictKind } from "./types.js";

/** Branch kinds that are a failure: the frame's copy never reached anything. */
const FAILED: ReadonlySet<BranchKind> = new Set(["dropped", "loop"]);

export function isFailedBranch(b: VerdictBranch): boolean {
  return FAILED.has(b.kind);
}

/** Some copy of the frame failed (or the frame never entered a loaded host). */
export function hasFailure(v: FrameVerdict): boolean {
  return v.verdict === "no-ingress" || v.branches.some(isFailedBranch);
}

/** Some failed branch beside a branch that got somewhere. */
export function isPartial(branches: readonly VerdictBranch[]): boolean {
  return branches.some(isFailedBranch) && branches.some((b) => !isFailedBranch(b));
}

/** The overall kind or any branch's kind is one of `kinds`. */
export function hasKind(v: FrameVerdict, kinds: readonly VerdictKind[]): boolean {
  return kinds.includes(v.verdict) || v.branches.some((b) => kinds.includes(b.kind));
}

/** The explanation of every failed branch, in path order. */
export function dropsOf(v: FrameVerdict): DropExplanation[] {
  const out: DropExplanation[] = [];
  for (const b of v.branches) if (b.drop) out.push(b.drop);
  if (out.length === 0 && v.drop) out.push(v.drop);
  return out;
}
