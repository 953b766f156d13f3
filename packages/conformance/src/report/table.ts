// The report a person reads: one row per RPC ("Service.Rpc"), one column per protocol, each cell
// `passed/failed/skipped` (and `+N dev` for known deviations); then the failures, the known
// deviations and the skip reasons (grouped), the warnings, and one totals line.
import type { SuiteReport, ScenarioResult } from "../run-suite.js";

function cell(results: readonly ScenarioResult[]): string {
  if (results.length === 0) return "-";
  const n = (o: ScenarioResult["outcome"]) => results.filter((r) => r.outcome === o).length;
  const deviations = n("known-deviation");
  return `${n("passed")}/${n("failed")}/${n("skipped")}${deviations > 0 ? ` +${deviations} dev` : ""}`;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - text.length));
}

export function totalsLine(report: SuiteReport): string {
  const t = report.totals;
  const scenarios = new Set(report.results.map((r) => r.id)).size;
  const n = report.target.protocols.length;
  return `${scenarios} scenarios × ${n} ${n === 1 ? "protocol" : "protocols"} = ${t.results} results: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.knownDeviations} known deviations`;
}

export function renderTable(report: SuiteReport): string {
  const protocols = report.target.protocols;
  const rows = new Map<string, ScenarioResult[]>();
  for (const r of report.results) {
    const key = `${r.service}.${r.rpc}`;
    rows.set(key, [...(rows.get(key) ?? []), r]);
  }
  const header = ["RPC", ...protocols];
  const body = [...rows.entries()].map(([rpc, results]) => [rpc, ...protocols.map((p) => cell(results.filter((r) => r.protocol === p)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!)).join("  ").trimEnd();
  const out: string[] = [];
  out.push(`target ${report.target.url} (organization ${report.target.organizationId})`);
  const second = report.target.secondOrganization;
  out.push(`second organization: ${"organizationId" in second ? second.organizationId : `none — ${second.skippedBecause}`}`);
  const controls = report.target.testingControls;
  out.push(`testing controls: ${"url" in controls ? `${controls.url}/testing/v1` : `none — ${controls.skippedBecause}`}`);
  out.push("");
  out.push("cells: passed/failed/skipped (+ known deviations)");
  out.push(line(header));
  out.push(line(widths.map((w) => "-".repeat(w))));
  for (const row of body) out.push(line(row));

  const failed = report.results.filter((r) => r.outcome === "failed");
  if (failed.length > 0) {
    out.push("", `FAILED (${failed.length}):`);
    for (const r of failed) out.push(`  ✗ ${r.id} [${r.protocol}]: ${indent(r.message ?? "")}`);
  }
  const known = report.results.filter((r) => r.outcome === "known-deviation");
  if (known.length > 0) {
    out.push("", `known deviations (${known.length}):`);
    for (const r of known) out.push(`  ~ ${r.id} [${r.protocol}]: ${r.deviation ?? ""} — ${indent(r.message ?? "")}`);
  }
  const skipped = report.results.filter((r) => r.outcome === "skipped");
  if (skipped.length > 0) {
    const byReason = new Map<string, Set<string>>();
    for (const r of skipped) byReason.set(r.message ?? "", (byReason.get(r.message ?? "") ?? new Set()).add(r.id));
    out.push("", `skipped (${skipped.length}):`);
    for (const [reason, ids] of byReason) {
      const count = skipped.filter((r) => (r.message ?? "") === reason).length;
      out.push(`  - ${reason} (${count}): ${[...ids].join(", ")}`);
    }
  }
  if (report.warnings.length > 0) {
    out.push("", "warnings:");
    for (const w of report.warnings) out.push(`  ! ${w}`);
  }
  out.push("", totalsLine(report) + ` (${(report.durationMs / 1000).toFixed(1)} s)`);
  return out.join("\n");
}

function indent(text: string): string {
  return text.replace(/\n/g, "\n      ");
}
