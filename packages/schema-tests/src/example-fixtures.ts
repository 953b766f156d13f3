// The committed fixture files: the documented examples of each seed, one JSON file per seed,
// written by scripts/extract-fixtures.ts and read by the documented-examples test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Json } from "./flat-yaml.js";
import { fixturesDir } from "./repo-paths.js";
import type { ExampleKind } from "./seed-sections.js";

/** The seeds with examples, and the services their RPC sections may document. */
export const exampleSeeds = [
  { seed: "001_6b4a54020b458683.txt", services: ["gitpod.v1.EnvironmentAutomationService"] },
  {
    seed: "002_4bb91746e48afafe.txt",
    services: ["gitpod.v1.RunnerService", "gitpod.v1.RunnerConfigurationService"],
  },
] as const;

export interface ExampleFixture {
  service: string;
  method: string;
  kind: ExampleKind;
  /** 1-based position among the method's examples of this kind. */
  index: number;
  /** The request or response message, e.g. "gitpod.v1.CreateServiceRequest". */
  message: string;
  title: string;
  description: string;
  /** A request example's flattened YAML as the seed has it (the body is rebuilt from it). */
  yaml?: string;
  body: { [key: string]: Json };
}

export interface FixtureFile {
  comment: string;
  seed: string;
  requests: number;
  responses: number;
  examples: ExampleFixture[];
}

export function fixtureFileOf(seed: string): string {
  return join(fixturesDir, seed.replace(/\.txt$/, ".json"));
}

export function loadFixtureFile(seed: string): FixtureFile {
  return JSON.parse(readFileSync(fixtureFileOf(seed), "utf8")) as FixtureFile;
}

/** "gitpod.v1.RunnerService/CreateRunner request 2": how tests and the extractor name an example. */
export function exampleName(e: Pick<ExampleFixture, "service" | "method" | "kind" | "index">): string {
  return `${e.service}/${e.method} ${e.kind} ${e.index}`;
}
