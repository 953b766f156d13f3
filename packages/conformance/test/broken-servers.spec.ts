// The kit finds real faults: our server behind a proxy that breaks it in one way at a time — wrong
// codes, a dropped field, endless page tokens, a leaked secret, cross-organization reads. The kit
// (Connect JSON, every scenario, a second organization, no testing controls) must report each
// fault through the scenarios that prove the broken behaviour. The proxy without a fault passes
// everything, so the failures are the faults', not the proxy's. Each run has a server of its own
// (a fault such as cross-organization writes would otherwise reach the other runs' resources).
// The sound run goes first, alone (its every scenario must pass, also the timing-sensitive ones);
// then the five faulty runs at once: they mostly wait on the simulated runner, not on the CPU.
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderJson } from "../src/report/json.js";
import { renderTable } from "../src/report/table.js";
import { runSuite, type SuiteReport } from "../src/run-suite.js";
import { allScenarios } from "../src/scenarios/index.js";
import { startBrokenProxy, type BrokenProxy, type Fault } from "./support/broken-proxy.js";
import { crossOrganizationReads, droppedField, endlessPageTokens, leakedSecrets, wrongCodes } from "./support/faults.js";
import { adminToken, otherToken, startReferenceServer, stopAll, type ReferenceServer } from "./support/reference-server.js";

const faults = {
  none: undefined,
  wrongCodes,
  droppedField,
  endlessPageTokens,
  leakedSecrets: leakedSecrets(),
  crossOrganizationReads: crossOrganizationReads(otherToken, adminToken),
} satisfies Record<string, Fault | undefined>;
type FaultKey = keyof typeof faults;

interface Run {
  readonly report: SuiteReport;
  readonly proxy: BrokenProxy;
}

const servers: ReferenceServer[] = [];
const proxies: BrokenProxy[] = [];
const runs: Partial<Record<FaultKey, Run>> = {};

async function runThrough(key: FaultKey, concurrency: number): Promise<Run> {
  const server = await startReferenceServer({ kind: "memory" });
  servers.push(server);
  const proxy = await startBrokenProxy(server.url, faults[key]);
  proxies.push(proxy);
  const report = await runSuite({ url: proxy.url, token: adminToken, secondToken: otherToken, protocols: ["connect-json"], scenarios: allScenarios, concurrency });
  // CONFORMANCE_DEBUG_DIR=/tmp/x keeps each run's JSON report, to see what a fault broke.
  if (process.env.CONFORMANCE_DEBUG_DIR) writeFileSync(`${process.env.CONFORMANCE_DEBUG_DIR}/broken-${key}.json`, renderJson(report));
  return { report, proxy };
}

beforeAll(async () => {
  runs.none = await runThrough("none", 6);
  await Promise.all(
    (Object.keys(faults) as FaultKey[])
      .filter((key) => key !== "none")
      .map(async (key) => {
        runs[key] = await runThrough(key, 3);
      }),
  );
}, 480_000);
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.stop()));
  stopAll();
});

function runOf(key: FaultKey): Run {
  const run = runs[key];
  if (!run) throw new Error(`the run for ${key} did not finish`);
  return run;
}

/** The fault applied, the run failed, and among the failures are `expected` (ids). */
function expectReported(key: Exclude<FaultKey, "none">, expected: string[], message?: RegExp): void {
  const { report, proxy } = runOf(key);
  const failed = report.results.filter((r) => r.outcome === "failed");
  const ids = failed.map((r) => r.id);
  expect(proxy.applied(), `${faults[key].name}: the proxy applied the fault`).toBeGreaterThan(0);
  expect(report.ok).toBe(false);
  for (const id of expected) expect(ids, `${id} fails under ${faults[key].name}`).toContain(id);
  if (message) expect(failed.map((r) => r.message ?? "")).toContainEqual(expect.stringMatching(message));
}

describe("the broken-server proxy", () => {
  it("without a fault changes nothing: every scenario the run can do passes", () => {
    const { report, proxy } = runOf("none");
    if (!report.ok) expect.fail(`the kit failed through the sound proxy:\n${renderTable(report)}`);
    expect(proxy.applied()).toBe(0);
    // Only the testing-controls scenarios are skipped: this run gives the kit none.
    for (const r of report.results.filter((r) => r.outcome === "skipped")) {
      expect(r.message).toBe("needs testing controls: target declares no testing controls (no --testing-token)");
    }
  });
});

describe("the kit reports each fault of a broken server", () => {
  it("wrong codes: not_found answered as internal", () => {
    expectReported("wrongCodes", ["EnvironmentService.GetEnvironment/unknown-id-not-found", "RunnerService.GetRunner/unknown-id-not-found"], /^expected not_found, got internal/);
  });

  it("a dropped field: GetRunner without the runner's name", () => {
    expectReported("droppedField", ["RunnerService.GetRunner/returns-created-runner", "RunnerService.UpdateRunner/changes-name"]);
  });

  it("endless page tokens: every List answer has a next page", () => {
    expectReported("endlessPageTokens", ["RunnerService.ListRunners/pages-in-creation-order", "EnvironmentService.ListEnvironments/pagination-across-pages"], /repeats an earlier next_token|still a next_token/);
  });

  it("a leaked secret: runners answered with their metrics password", () => {
    expectReported("leakedSecrets", ["RunnerService.CreateRunner/metrics-password-never-returned", "RunnerService.UpdateRunner/metrics-password-write-only"]);
  });

  it("cross-organization reads: another organization's caller sees the first organization's resources", () => {
    expectReported(
      "crossOrganizationReads",
      ["RunnerService.GetRunner/other-organization-not-found", "EnvironmentService.GetEnvironment/other-organization-not-found", "EnvironmentService.ListEnvironments/other-organization-lists-none-of-ours"],
      /^expected not_found, the call succeeded/,
    );
  });
});
