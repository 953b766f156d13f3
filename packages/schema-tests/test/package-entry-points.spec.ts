// @gitpod-connect/schema offers one entry point per proto file and an index of all of them, as
// its package.json "exports" promise to outside TypeScript services.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as index from "@gitpod-connect/schema";
import { describe, expect, it } from "vitest";
import { protoDir } from "../src/repo-paths.js";

const protoFiles = readdirSync(join(protoDir, "gitpod", "v1"))
  .filter((f) => f.endsWith(".proto"))
  .map((f) => f.replace(/\.proto$/, ""))
  .sort();

describe("package entry points", () => {
  it.each(protoFiles)("@gitpod-connect/schema/gitpod/v1/%s exports the file's descriptor", async (name) => {
    const entry = (await import(`@gitpod-connect/schema/gitpod/v1/${name}`)) as Record<string, unknown>;
    expect(entry[`file_gitpod_v1_${name}`]).toBeDefined();
  });

  it("the index re-exports the descriptor of every proto file", () => {
    const files = Object.keys(index).filter((k) => k.startsWith("file_gitpod_v1_")).sort();
    expect(files).toEqual(protoFiles.map((name) => `file_gitpod_v1_${name}`));
  });

  it("the index exports the four service descriptors", () => {
    expect([index.EnvironmentService, index.EnvironmentAutomationService, index.RunnerService, index.RunnerConfigurationService].map((s) => s.typeName)).toEqual([
      "gitpod.v1.EnvironmentService",
      "gitpod.v1.EnvironmentAutomationService",
      "gitpod.v1.RunnerService",
      "gitpod.v1.RunnerConfigurationService",
    ]);
  });
});
