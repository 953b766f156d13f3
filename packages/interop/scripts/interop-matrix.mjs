#!/usr/bin/env node
// Prints the interop matrix from the last test run (test-results.json, vitest's JSON report):
// peer × protocol with passed / failed / skipped counts, and the codec cases. Tests say where
// they belong by their describe titles — "peer: <name>" and "protocol: <name>", or "codec: <kind>";
// the official SDK's files predate that and are mapped by file name below.
//
//   npx vitest run && node scripts/interop-matrix.mjs        (exit 1 if any cell has a failure)
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const report = fileURLToPath(new URL("../test-results.json", import.meta.url));
if (!existsSync(report)) {
  console.error("no test-results.json: run the interop tests first (npx vitest run)");
  process.exit(1);
}
const results = JSON.parse(readFileSync(report, "utf8"));

/** Files whose tests carry no peer title: the peer and protocol they exercise. */
const byFile = [[/^official-sdk-/, { peer: "@gitpod/sdk 0.6.0", protocol: "Connect JSON" }]];

const cells = new Map(); // "peer\u0000protocol" → counts
const codec = new Map(); // kind → counts
const count = (map, key, status) => {
  const c = map.get(key) ?? { passed: 0, failed: 0, skipped: 0 };
  c[status === "passed" ? "passed" : status === "failed" ? "failed" : "skipped"]++;
  map.set(key, c);
};

for (const file of results.testResults) {
  const fallback = byFile.find(([pattern]) => pattern.test(basename(file.name)))?.[1];
  for (const test of file.assertionResults) {
    const titles = test.ancestorTitles;
    const tagged = (prefix) => titles.find((t) => t.startsWith(prefix))?.slice(prefix.length).trim();
    const kind = tagged("codec:");
    if (kind) {
      count(codec, kind, test.status);
      continue;
    }
    const peer = tagged("peer:") ?? fallback?.peer;
    if (!peer) continue;
    const protocol = tagged("protocol:") ?? fallback?.protocol ?? "(any)";
    count(cells, `${peer}\u0000${protocol}`, test.status);
  }
}

const protocolOrder = ["Connect JSON", "Connect binary", "Connect GET", "gRPC", "gRPC-web"];
const rows = [...cells].sort(([a], [b]) => {
  const [pa, qa] = a.split("\u0000");
  const [pb, qb] = b.split("\u0000");
  return pa.localeCompare(pb) || (protocolOrder.indexOf(qa) + 1 || 99) - (protocolOrder.indexOf(qb) + 1 || 99) || qa.localeCompare(qb);
});

let failures = 0;
console.log("| peer | protocol | passed | failed | skipped |");
console.log("| --- | --- | ---: | ---: | ---: |");
for (const [key, c] of rows) {
  const [peer, protocol] = key.split("\u0000");
  failures += c.failed;
  console.log(`| ${peer} | ${protocol} | ${c.passed} | ${c.failed} | ${c.skipped} |`);
}
if (codec.size > 0) {
  console.log("\n| codec cases | passed | failed | skipped |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const [kind, c] of [...codec].sort(([a], [b]) => a.localeCompare(b))) {
    failures += c.failed;
    console.log(`| ${kind} | ${c.passed} | ${c.failed} | ${c.skipped} |`);
  }
}
const total = results.numPassedTests + results.numFailedTests;
console.log(`\n${results.numPassedTests} of ${total} interop tests passed (${new Date(results.startTime).toISOString()})`);
if (failures > 0 || !results.success) process.exitCode = 1;
