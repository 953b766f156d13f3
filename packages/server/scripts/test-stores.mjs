#!/usr/bin/env node
// The server's `test`: every spec on the memory store, then the service suite — every spec that
// starts a test server (src/test-support/test-server.ts) — again on PostgreSQL and on PGlite
// (GITPOD_TEST_STORE, src/test-support/test-store.ts). Each run writes its own report
// (test-results.json, test-results-postgres.json, test-results-pglite.json); all three run, and
// the script fails if any failed. Extra arguments go to every vitest run.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
const extra = process.argv.slice(2);

const serviceSuite = readdirSync(join(root, "src"), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith(".spec.ts"))
  .map((e) => join(e.parentPath, e.name))
  .filter((file) => readFileSync(file, "utf8").includes("startTestServer("))
  .map((file) => relative(root, file))
  .sort();

const runs = [
  { store: "memory", files: [] },
  { store: "postgres", files: serviceSuite },
  { store: "pglite", files: serviceSuite },
];
for (const report of ["test-results-postgres.json", "test-results-pglite.json"]) rmSync(join(root, report), { force: true });

let failed = false;
for (const { store, files } of runs) {
  console.log(`\n== server tests on the ${store} store${files.length > 0 ? ` (the service suite: ${files.length} files)` : ""}`);
  const run = spawnSync(process.execPath, [vitest, "run", ...files, ...extra], { cwd: root, stdio: "inherit", env: { ...process.env, GITPOD_TEST_STORE: store } });
  if (run.status !== 0) {
    console.error(`server tests on the ${store} store failed (exit ${run.status ?? run.signal})`);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;
