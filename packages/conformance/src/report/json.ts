// The machine-readable report: the target, every result, the totals and the warnings.
import type { SuiteReport } from "../run-suite.js";

export function renderJson(report: SuiteReport): string {
  return `${JSON.stringify({ kit: "@gitpod-connect/conformance", ...report }, null, 2)}\n`;
}
