// The kit against our reference server, as CI runs it: the built server CLI on each of its stores
// (memory, PGlite, PostgreSQL), every scenario on all four protocols, with a second organization
// and the testing controls. Our server must pass every scenario: no failure, no skip. Once, the
// kit runs as its command (bin/gitpod-conformance.js), to prove the exit code and the reports.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { renderTable } from "../src/report/table.js";
import { runSuite, type SuiteReport } from "../src/run-suite.js";
import { protocols } from "../src/scenario.js";
import { allScenarios } from "../src/scenarios/index.js";
import { startPostgres } from "./support/postgres.js";
import { adminToken, otherToken, startReferenceServer, stopAll, testingToken, type ReferenceServer, type Store } from "./support/reference-server.js";

const packageDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const runMs = 240_000;

afterAll(() => stopAll());

/** Every scenario on every protocol, with both a second organization and the testing controls. */
async function runAll(server: ReferenceServer): Promise<SuiteReport> {
  return runSuite({
    url: server.url,
    token: adminToken,
    protocols,
    scenarios: allScenarios,
    secondToken: otherToken,
    testingToken,
    concurrency: 8,
  });
}

/** Portable variants may skip, saying the answer came too late to decide, when their frozen-clock twin decided. */
const liveClockSuffix = "-live-clock";

/**
 * Passes when nothing failed or was skipped — but for a `-live-clock` scenario that skipped as
 * inconclusive (the target finished the deletion before the call) while its frozen-clock twin, the
 * same check with the clock stopped, passed on the same protocol; otherwise fails showing the
 * kit's own report.
 */
function expectAllPassed(report: SuiteReport): void {
  const passed = new Set(report.results.filter((r) => r.outcome === "passed").map((r) => `${r.id} ${r.protocol}`));
  const decidedByTwin = (r: SuiteReport["results"][number]) =>
    r.outcome === "skipped" && r.id.endsWith(liveClockSuffix) && passed.has(`${r.id.slice(0, -liveClockSuffix.length)} ${r.protocol}`);
  const notPassed = report.results.filter((r) => r.outcome !== "passed" && !decidedByTwin(r));
  if (notPassed.length > 0) expect.fail(`the kit did not pass on our server:\n${renderTable(report)}`);
  expect(report.totals.passed + report.results.filter(decidedByTwin).length).toBe(allScenarios.length * protocols.length);
  expect(report.warnings).toEqual([]);
}

describe.each<[string, () => Promise<Store & { stop?: () => Promise<void> }>]>([
  ["memory", () => Promise.resolve({ kind: "memory" })],
  ["PGlite", () => Promise.resolve({ kind: "pglite" })],
  [
    "PostgreSQL",
    async () => {
      const postgres = await startPostgres();
      return { kind: "postgres", url: postgres.url, stop: () => postgres.stop() };
    },
  ],
])("our server on the %s store", (_name, makeStore) => {
  it(
    "passes every scenario on all four protocols",
    async () => {
      const store = await makeStore();
      const server = await startReferenceServer(store);
      try {
        expectAllPassed(await runAll(server));
      } finally {
        await server.stop();
        await store.stop?.();
      }
    },
    runMs,
  );
});

describe("gitpod-conformance, the command", () => {
  const bin = path.join(packageDir, "bin", "gitpod-conformance.js");
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, ...args], { cwd: packageDir, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      });
    });

  it(
    "exits 0 against our server and writes the JSON and JUnit reports; 2 on a usage error",
    async () => {
      if (!existsSync(path.join(packageDir, "dist", "cli.js"))) {
        throw new Error("dist/cli.js is missing: run `npx -y pnpm@10.34.9 --filter @gitpod-connect/conformance build` first (turbo's test task does)");
      }
      const server = await startReferenceServer({ kind: "memory" });
      const dir = mkdtempSync(path.join(os.tmpdir(), "conformance-cli-"));
      try {
        const json = path.join(dir, "report.json");
        const junit = path.join(dir, "report.xml");
        const args = ["--url", server.url, "--token", adminToken, "--second-token", otherToken, "--testing-token", testingToken];
        const green = await run([...args, "--only", "IdentityService", "--only", "Kit", "--report-json", json, "--report-junit", junit]);
        expect(green.stdout).toMatch(/0 failed, 0 skipped, 0 known deviations/);
        expect(green.code).toBe(0);
        const report = JSON.parse(readFileSync(json, "utf8")) as SuiteReport;
        expect(report.ok).toBe(true);
        expect(report.totals.results).toBeGreaterThan(0);
        expect(readFileSync(junit, "utf8")).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="gitpod-conformance" tests="\d+" failures="0"/);

        const usage = await run([...args, "--protocols", "http3"]);
        expect(usage.code).toBe(2);
        expect(usage.stderr).toContain("--protocols: unknown protocol \"http3\"");
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await server.stop();
      }
    },
    runMs,
  );
});
