// The runner's classification, against our server in this process (the kit's own scenarios are
// proven by our-server.spec.ts): passes, failures of each kind, skips, time limits, cleanups,
// needs, deviations, and what main() makes of them (exit code, report files).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { startServer, type RunningServer } from "@gitpod-connect/server";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../src/main.js";
import { runSuite, type ScenarioResult } from "../src/run-suite.js";
import { ScenarioFailure, type Scenario } from "../src/scenario.js";

const token = "run-suite-admin";
const otherToken = "run-suite-other";
const testingToken = "run-suite-testing";
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    apiKey: token,
    stepDelayMs: 10,
    testingControls: { token: testingToken },
    organizations: [{ name: "Other", users: [{ name: "olga", email: "olga@other.test", tokens: [otherToken] }] }],
  });
  dir = mkdtempSync(path.join(os.tmpdir(), "conformance-run-suite-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const scenario = (id: string, run: Scenario["run"], extra: Partial<Scenario> = {}): Scenario => ({ id, service: "Kit", rpc: "Test", title: id, run, ...extra });

const scenarios: Scenario[] = [
  scenario("Kit.Test/passes", async (ctx) => {
    const identity = await ctx.client(IdentityService).getAuthenticatedIdentity({});
    assert.equal(identity.organizationId, ctx.fixtures.organizationId);
  }),
  scenario("Kit.Test/assertion", () => {
    assert.equal(1, 2, "one is two");
    return Promise.resolve();
  }),
  scenario("Kit.Test/unexpected-code", async (ctx) => {
    await ctx.clientWithToken(IdentityService, undefined).getAuthenticatedIdentity({});
  }),
  scenario("Kit.Test/skips", (ctx) => ctx.skip("the target has no such thing")),
  scenario("Kit.Test/times-out", () => new Promise(() => undefined), { timeoutMs: 300 }),
  scenario("Kit.Test/cleanup-fails", (ctx) => {
    ctx.cleanup(() => Promise.reject(new ConnectError("cannot delete", Code.Internal)));
    ctx.cleanup(() => Promise.reject(new ConnectError("gone already", Code.NotFound)));
    return Promise.resolve();
  }),
  scenario("Kit.Test/wait-times-out", async (ctx) => {
    await ctx.waitFor("the answer 42", () => Promise.resolve({ answer: 41 }), (v) => v.answer === 42, { timeoutMs: 200 });
  }),
  scenario(
    "Kit.Test/second-organization",
    async (ctx) => {
      assert.ok(ctx.otherOrganization);
      const other = await ctx.otherOrganization.client(IdentityService).getAuthenticatedIdentity({});
      assert.equal(other.organizationId, ctx.otherOrganization.fixtures.organizationId);
      assert.notEqual(other.organizationId, ctx.fixtures.organizationId);
    },
    { needs: ["second-organization"] },
  ),
  scenario(
    "Kit.Test/controls",
    async (ctx) => {
      assert.ok(ctx.controls);
      await ctx.controls.injectRpcFailure({ procedure: "gitpod.v1.IdentityService/GetAuthenticatedIdentity", code: "unavailable", count: 5 });
      // The kit clears what is left afterwards: the next scenario sees no injected failure.
    },
    { needs: ["testing-controls"] },
  ),
  scenario("Kit.Test/after-controls", async (ctx) => {
    await ctx.client(IdentityService).getAuthenticatedIdentity({});
  }),
  scenario("Kit.Test/failure", () => Promise.reject(new ScenarioFailure("documented behaviour missing"))),
];

const byId = (results: readonly ScenarioResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));

describe("runSuite", () => {
  it("classifies passes, failures, skips, time limits and cleanups", async () => {
    const report = await runSuite({ url: server.url, token, protocols: ["connect-json"], scenarios, secondToken: otherToken, testingToken });
    const r = byId(report.results);
    expect(r["Kit.Test/passes"]).toMatchObject({ outcome: "passed" });
    expect(r["Kit.Test/assertion"]).toMatchObject({ outcome: "failed", message: expect.stringContaining("one is two") });
    expect(r["Kit.Test/unexpected-code"]).toMatchObject({ outcome: "failed", message: expect.stringMatching(/^unexpected unauthenticated: /) });
    expect(r["Kit.Test/skips"]).toMatchObject({ outcome: "skipped", message: "the target has no such thing" });
    expect(r["Kit.Test/times-out"]).toMatchObject({ outcome: "failed", message: "timed out after 300 ms" });
    expect(r["Kit.Test/cleanup-fails"]).toMatchObject({ outcome: "failed", message: "cleanup failed: unexpected internal: cannot delete" });
    expect(r["Kit.Test/wait-times-out"]).toMatchObject({ outcome: "failed", message: expect.stringMatching(/^timed out after 200 ms waiting for the answer 42; last seen: \{"answer":41\}/) });
    expect(r["Kit.Test/second-organization"]).toMatchObject({ outcome: "passed" });
    expect(r["Kit.Test/controls"]).toMatchObject({ outcome: "passed" });
    expect(r["Kit.Test/after-controls"]).toMatchObject({ outcome: "passed" });
    expect(r["Kit.Test/failure"]).toMatchObject({ outcome: "failed", message: "documented behaviour missing" });
    expect(report.totals).toEqual({ results: 11, passed: 4, failed: 6, skipped: 1, knownDeviations: 0 });
    expect(report.ok).toBe(false);
    expect(report.target.secondOrganization).toHaveProperty("organizationId");
  });

  it("skips what needs a second organization or testing controls the target does not declare, saying why", async () => {
    const needy = scenarios.filter((s) => s.needs !== undefined);
    const without = await runSuite({ url: server.url, token, protocols: ["grpc"], scenarios: needy });
    expect(without.results.map((r) => [r.id, r.outcome, r.message])).toEqual([
      ["Kit.Test/second-organization", "skipped", "needs a second organization: no --second-token given"],
      ["Kit.Test/controls", "skipped", "needs testing controls: target declares no testing controls (no --testing-token)"],
    ]);
    const wrongToken = await runSuite({ url: server.url, token, protocols: ["grpc"], scenarios: needy, testingToken: "wrong" });
    expect(wrongToken.results[1]?.message).toMatch(/^needs testing controls: testing controls refused the testing token \(401/);
  });

  it("runs every scenario once per declared protocol", async () => {
    const report = await runSuite({ url: server.url, token, protocols: ["connect-json", "connect-binary", "grpc-web", "grpc"], scenarios: scenarios.slice(0, 1) });
    expect(report.results.map((r) => [r.protocol, r.outcome])).toEqual([
      ["connect-json", "passed"],
      ["connect-binary", "passed"],
      ["grpc-web", "passed"],
      ["grpc", "passed"],
    ]);
  });

  it("stops with a clear message when the token is not accepted", async () => {
    await expect(runSuite({ url: server.url, token: "nobody", protocols: ["connect-json"], scenarios })).rejects.toThrow(/--token: GetAuthenticatedIdentity failed \(unauthenticated/);
  });
});

describe("gitpod-conformance (main)", () => {
  const io = (): CliIo & { text: () => string } => {
    let text = "";
    return { out: (t) => (text += `${t}\n`), err: (t) => (text += `${t}\n`), text: () => text };
  };
  const failing = [scenarios[0]!, scenarios[1]!, scenarios[10]!];

  it("exits 1 on a failure, and writes the JSON and JUnit reports", async () => {
    const out = io();
    const json = path.join(dir, "report.json");
    const junit = path.join(dir, "nested", "report.xml");
    const code = await main(["--url", server.url, "--token", token, "--protocols", "connect-json", "--report-json", json, "--report-junit", junit], out, failing);
    expect(code).toBe(1);
    expect(out.text()).toContain("✗ Kit.Test/assertion [connect-json]");
    const report = JSON.parse(readFileSync(json, "utf8")) as { totals: unknown; results: unknown[] };
    expect(report.totals).toEqual({ results: 3, passed: 1, failed: 2, skipped: 0, knownDeviations: 0 });
    expect(readFileSync(junit, "utf8")).toContain('<testsuite name="Kit" tests="3" failures="2"');
  });

  it("is green when only known deviations fail, and warns about fixed and unused ones", async () => {
    const deviations = path.join(dir, "deviations.json");
    writeFileSync(
      deviations,
      JSON.stringify({
        deviations: [
          { scenario: "Kit.Test/assertion", reason: "our target thinks one is two" },
          { scenario: "Kit.Test/failure", protocol: "connect-json", reason: "not implemented yet" },
          { scenario: "Kit.Test/passes", reason: "was broken once" },
          { scenario: "Kit.Test/nothing", reason: "names nothing" },
        ],
      }),
    );
    const out = io();
    const code = await main(["--url", server.url, "--token", token, "--protocols", "connect-json", "--deviations", deviations], out, failing);
    expect(out.text()).toContain("1 passed, 0 failed, 0 skipped, 2 known deviations");
    expect(out.text()).toContain("deviation fixed: Kit.Test/passes [connect-json] passes");
    expect(out.text()).toContain('deviation matches no scenario of this run: "Kit.Test/nothing"');
    expect(code).toBe(0);
  });

  it("applies --only and --skip", async () => {
    const out = io();
    expect(await main(["--url", server.url, "--token", token, "--protocols", "grpc", "--only", "Kit.Test/", "--skip", "Kit.Test/assertion", "--skip", "Kit.Test/failure"], out, failing)).toBe(0);
    expect(out.text()).toContain("1 scenarios × 1 protocol = 1 results: 1 passed");
  });

  it("exits 1 naming the cause when the target cannot be reached", async () => {
    const out = io();
    expect(await main(["--url", "http://127.0.0.1:9", "--token", token, "--protocols", "connect-json"], out, failing)).toBe(1);
    expect(out.text()).toMatch(/cannot run against http:\/\/127\.0\.0\.1:9: --token: GetAuthenticatedIdentity failed \(unavailable/);
  });
});
