// Settings every package's vitest.config.ts shares: besides the console output, each run writes
// test-results.json, which scripts/test-totals.mjs sums into the CI's "N passed, N failed" line.
import type { ViteUserConfig } from "vitest/config";

export const sharedTestConfig: ViteUserConfig["test"] = {
  include: ["src/**/*.spec.ts", "test/**/*.spec.ts"],
  reporters: ["default", ["json", { outputFile: "test-results.json" }]],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};
