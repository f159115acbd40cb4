/** Colours of the tones, or none at all (NO_COLOR, or a terminal without colours). */
import type { Tone } from "./view.js";

export interface Theme {
  color: boolean;
}

const COLORS: Readonly<Record<Tone, string>> = {
  drop: "red",
  ok: "green",
  tunnel: "cyan",
  dim: "gray",
  title: "blue",
  warn: "yellow",
  mark: "magenta",
};

/** The Ink colour of a tone, or undefined when colours are off. */
export function toneColor(theme: Theme, tone: Tone | undefined): string | undefined {
  return theme.color && tone ? COLORS[tone] : undefined;
}

/** NO_COLOR (https://no-color.org): present and not empty turns colours off; so does a dumb terminal. */
export function themeFromEnv(env: NodeJS.ProcessEnv): Theme {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return { color: !noColor && env.TERM !== "dumb" };
}
