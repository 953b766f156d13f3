import { describe, expect, it } from "vitest";
import { parseDeviations } from "../src/deviations.js";
import { escapeXml, renderJunit } from "../src/report/junit.js";
import { renderTable } from "../src/report/table.js";
import { totalsOf, type ScenarioResult, type SuiteReport } from "../src/run-suite.js";
import type { Scenario } from "../src/scenario.js";
import { selectScenarios } from "../src/selection.js";

const scenario = (id: string): Scenario => {
  const [rpcPath = ""] = id.split("/");
  const [service = "", rpc = ""] = rpcPath.split(".");
  return { id, service, rpc, title: id, run: () => Promise.resolve() };
};

const results: ScenarioResult[] = [
  { id: "A.Get/ok", service: "A", rpc: "Get", title: "works", protocol: "grpc", outcome: "passed", durationMs: 3 },
  { id: "A.Get/bad", service: "A", rpc: "Get", title: "<bad> & 'quoted'", protocol: "grpc", outcome: "failed", message: 'expected "x" < y & z\u0001', durationMs: 4 },
  { id: "B.List/skip", service: "B", rpc: "List", title: "skips", protocol: "grpc", outcome: "skipped", message: "needs a second organization", durationMs: 0 },
  { id: "B.List/dev", service: "B", rpc: "List", title: "deviates", protocol: "grpc", outcome: "known-deviation", message: "wrong", deviation: "known", durationMs: 1 },
];
const report: SuiteReport = {
  target: { url: "http://h:1", protocols: ["grpc"], organizationId: "o", secondOrganization: { skippedBecause: "no --second-token given" }, testingControls: { url: "http://h:1" } },
  startedAt: "2026-12-02T00:00:00.000Z",
  durationMs: 10,
  results,
  totals: totalsOf(results),
  warnings: [],
  ok: false,
};

describe("selection", () => {
  const all = ["A.Get/ok", "A.Get/bad", "A.List/x", "B.List/y"].map(scenario);
  it("matches an id prefix, an RPC and a service; --skip after --only", () => {
    expect(selectScenarios(all, ["A.Get"], []).map((s) => s.id)).toEqual(["A.Get/ok", "A.Get/bad"]);
    expect(selectScenarios(all, ["A"], ["A.Get/bad"]).map((s) => s.id)).toEqual(["A.Get/ok", "A.List/x"]);
    expect(selectScenarios(all, [], ["B"]).map((s) => s.id)).toEqual(["A.Get/ok", "A.Get/bad", "A.List/x"]);
    expect(selectScenarios(all, ["B.List/y", "A.List/x"], []).map((s) => s.id)).toEqual(["A.List/x", "B.List/y"]);
  });
});

describe("deviations file", () => {
  it("reads scenario, protocol and reason", () => {
    expect(parseDeviations('{"deviations":[{"scenario":"A.Get/bad","protocol":"grpc","reason":"r"},{"scenario":"B","reason":"s"}]}', "d.json")).toEqual([
      { scenario: "A.Get/bad", protocol: "grpc", reason: "r" },
      { scenario: "B", reason: "s" },
    ]);
  });
  it.each([
    ["[]", /must hold \{"deviations"/],
    ['{"deviations":[{"scenario":"A","reason":"r","protocl":"grpc"}]}', /deviations\[0\]\.protocl: unknown key/],
    ['{"deviations":[{"scenario":"A"}]}', /deviations\[0\]\.reason/],
    ['{"deviations":[{"scenario":"A","reason":"r","protocol":"soap"}]}', /deviations\[0\]\.protocol: unknown protocol/],
    ["{", /is not JSON/],
  ])("rejects %s, naming what is wrong", (text, message) => {
    expect(() => parseDeviations(text, "d.json")).toThrow(message);
  });
});

describe("reports", () => {
  it("tables each RPC per protocol and lists failures, deviations and skip reasons", () => {
    const table = renderTable(report);
    expect(table).toMatch(/A\.Get\s+1\/1\/0/);
    expect(table).toMatch(/B\.List\s+0\/0\/1 \+1 dev/);
    expect(table).toContain("✗ A.Get/bad [grpc]");
    expect(table).toContain("~ B.List/dev [grpc]: known — wrong");
    expect(table).toContain("- needs a second organization (1): B.List/skip");
    expect(table).toContain("4 scenarios × 1 protocol = 4 results: 1 passed, 1 failed, 1 skipped, 1 known deviations");
  });

  it("writes JUnit XML that is well-formed, escaped and counted per service", () => {
    const xml = renderJunit(report);
    expect(xml).toContain('<testsuites name="gitpod-conformance" tests="4" failures="1" skipped="2"');
    expect(xml).toContain('<testsuite name="A" tests="2" failures="1" skipped="0"');
    expect(xml).toContain('<failure message="expected &quot;x&quot; &lt; y &amp; z\uFFFD"');
    expect(xml).toContain('<skipped message="known deviation: known"/>');
    // Well-formed: no raw markup characters outside tags, every element closed.
    const withoutTags = xml.replace(/<\?xml[^>]*\?>/, "").replace(/<\/?[a-z-]+(\s+[a-z-]+="[^"<>]*")*\s*\/?>/g, "");
    expect(withoutTags).not.toMatch(/[<>]/);
    expect(withoutTags.replace(/&(amp|lt|gt|quot|apos);/g, "")).not.toContain("&");
    const opened = [...xml.matchAll(/<(testsuites|testsuite|testcase|failure|system-out)[\s>]/g)].length;
    const selfClosed = [...xml.matchAll(/<(testcase)[^>]*\/>/g)].length;
    const closed = [...xml.matchAll(/<\/(testsuites|testsuite|testcase|failure|system-out)>/g)].length;
    expect(opened - selfClosed).toBe(closed);
  });

  it("escapes every XML special character and drops control characters", () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0000\u001f\t`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\uFFFD\uFFFD\t");
  });
});
