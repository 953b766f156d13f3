// JUnit XML, as CI systems read it: one <testsuite> per service, one <testcase> per scenario and
// protocol (classname "Service.Rpc", name "id [protocol]"), <failure> for failures, <skipped> for
// skips and for known deviations (they do not fail a build; the message says which deviation).
import type { ScenarioResult, SuiteReport } from "../run-suite.js";

/** Escapes text for XML attributes and content, dropping characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(r: ScenarioResult): string {
  const open = `    <testcase classname="${escapeXml(`${r.service}.${r.rpc}`)}" name="${escapeXml(`${r.id} [${r.protocol}]`)}" time="${seconds(r.durationMs)}"`;
  const message = r.message ?? "";
  switch (r.outcome) {
    case "passed":
      return `${open}/>`;
    case "failed":
      return `${open}>\n      <failure message="${escapeXml(message.split("\n")[0] ?? "")}" type="failure">${escapeXml(`${r.title}\n${message}`)}</failure>\n    </testcase>`;
    case "skipped":
      return `${open}>\n      <skipped message="${escapeXml(message)}"/>\n    </testcase>`;
    case "known-deviation":
      return `${open}>\n      <skipped message="${escapeXml(`known deviation: ${r.deviation ?? ""}`)}"/>\n      <system-out>${escapeXml(message)}</system-out>\n    </testcase>`;
  }
}

export function renderJunit(report: SuiteReport): string {
  const services = new Map<string, ScenarioResult[]>();
  for (const r of report.results) services.set(r.service, [...(services.get(r.service) ?? []), r]);
  const count = (results: readonly ScenarioResult[], ...outcomes: ScenarioResult["outcome"][]) => results.filter((r) => outcomes.includes(r.outcome)).length;
  const time = (results: readonly ScenarioResult[]) => seconds(results.reduce((sum, r) => sum + r.durationMs, 0));
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="gitpod-conformance" tests="${report.results.length}" failures="${count(report.results, "failed")}" skipped="${count(report.results, "skipped", "known-deviation")}" errors="0" time="${seconds(report.durationMs)}">`,
  ];
  for (const [service, results] of services) {
    lines.push(
      `  <testsuite name="${escapeXml(service)}" tests="${results.length}" failures="${count(results, "failed")}" skipped="${count(results, "skipped", "known-deviation")}" errors="0" time="${time(results)}" timestamp="${escapeXml(report.startedAt)}">`,
    );
    for (const r of results) lines.push(testcase(r));
    lines.push(`  </testsuite>`);
  }
  lines.push(`</testsuites>`, "");
  return lines.join("\n");
}
