#!/usr/bin/env node
// Sums the vitest JSON reports (test-results*.json) of every workspace package into one plain
// line, `N passed, N failed`, which the CI log reader recognises (vitest's summary it does not).
// A package with a test script but no report counts as one failure: its tests did not run.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./paths.mjs";

const packageDirs = [join(repoRoot, "gen"), ...readdirSync(join(repoRoot, "packages")).map((d) => join(repoRoot, "packages", d))];
let passed = 0;
let failed = 0;
for (const dir of packageDirs) {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, "utf8")).scripts?.test) continue;
  // test-results.json, and one more per extra run (the server's suite on each store: test-results-<store>.json).
  const reports = readdirSync(dir).filter((f) => /^test-results(-[a-z0-9]+)?\.json$/.test(f));
  if (!reports.includes("test-results.json")) {
    console.error(`${dir.slice(repoRoot.length + 1)}: no test-results.json (its tests did not run)`);
    failed++;
    continue;
  }
  for (const report of reports) {
    const r = JSON.parse(readFileSync(join(dir, report), "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    // A suite that failed to load fails no test but must not pass silently.
    if (r.numFailedTests === 0 && r.success === false) failed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
