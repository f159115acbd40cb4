import { defineConfig } from "vitest/config";

// The live differential suite against a real ovs-vswitchd (see test/ovs-live/).
export default defineConfig({
  test: {
    include: ["test/ovs-live/**/*.test.ts"],
    maxWorkers: 1,
    testTimeout: 600_000,
  },
});
