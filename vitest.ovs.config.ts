import { defineConfig } from "vitest/config";

// The live differential suite against a real ovs-vswitchd (see test/ovs-live/).
export default defineConfig({
  test: {
    include: ["test/ovs-live/**/*.test.ts"],
    maxWorkers: 1,
    // The differential test stops starting rounds after its time budget (240 s by default).
    testTimeout: 900_000,
  },
});
