import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: ["test/ovs-live/**"],
    // Two cores here and in CI: two workers keep the machine busy without thrashing.
    maxWorkers: 2,
    testTimeout: 60_000,
    // Property tests run on a fixed seed (FC_SEED and FC_RUNS widen a sweep by hand).
    setupFiles: ["test/support/fast-check-seed.ts"],
  },
});
