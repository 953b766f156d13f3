import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

// GITPOD_TEST_STORE (memory, pglite, postgres) picks the store the service tests run on
// (src/test-support/test-store.ts); each store's run writes a report of its own.
const store = process.env.GITPOD_TEST_STORE ?? "memory";
const report = store === "memory" ? "test-results.json" : `test-results-${store}.json`;

export default defineConfig({
  test: {
    ...sharedTestConfig,
    reporters: ["default", ["json", { outputFile: report }]],
    globalSetup: ["src/test-support/global-stores.ts"],
  },
});
