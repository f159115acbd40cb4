import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: ["test/ovs-live/**"],
    // Two cores here and in CI: two workers keep the machine busy without thrashing.
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
