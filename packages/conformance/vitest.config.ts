import { defineConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.js";

// The kit's runs against our server are heavy (hundreds of scenarios on four protocols, one store
// after another): one test file at a time, so that they do not compete for the machine's cores.
export default defineConfig({ test: { ...sharedTestConfig, fileParallelism: false } });
