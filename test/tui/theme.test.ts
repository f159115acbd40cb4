import { describe, expect, it } from "vitest";
import { themeFromEnv, toneColor } from "../../src/tui/theme.js";

describe("theme", () => {
  it("NO_COLOR set and not empty turns colours off, as does TERM=dumb", () => {
    expect(themeFromEnv({}).color).toBe(true);
    expect(themeFromEnv({ NO_COLOR: "1" }).color).toBe(false);
    expect(themeFromEnv({ NO_COLOR: "" }).color).toBe(true);
    expect(themeFromEnv({ TERM: "dumb" }).color).toBe(false);
  });

  it("gives a colour per tone only when colours are on", () => {
    expect(toneColor({ color: true }, "drop")).toBe("red");
    expect(toneColor({ color: false }, "drop")).toBeUndefined();
    expect(toneColor({ color: true }, undefined)).toBeUndefined();
  });
});
