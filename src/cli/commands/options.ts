import { InvalidArgumentError } from "@commander-js/extra-typings";

/** Option parsers shared by the commands; commander turns their errors into usage errors (exit 2). */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected a whole number ≥ 1");
  return Number(value);
}

export function parsePort(value: string, previous: number[] | undefined): number[] {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535)
    throw new InvalidArgumentError("expected a UDP port 1-65535");
  return [...(previous ?? []), n];
}
