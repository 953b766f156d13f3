// The benchmark command: `npx -y pnpm@10.34.9 --filter @gitpod-connect/bench bench` (README.md).
// Tables: 1 throughput, 2 scaling, 3 codec; BENCH_TABLES=throughput,scaling,codec picks some.
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { envList, pinned, pinningAvailable, requireBuiltServer } from "./common.mjs";

requireBuiltServer();

// Pinning: re-run this script on core 1; the server children put themselves on core 0.
if (!pinned && process.env.BENCH_PIN !== "0" && pinningAvailable()) {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync("taskset", ["-c", "1", process.execPath, ...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, BENCH_PINNED: "1" },
  });
  process.exit(r.status ?? 1);
}

const tables = envList("BENCH_TABLES", "throughput,scaling,codec");
console.log(`# @gitpod-connect/bench — ${new Date().toISOString()}`);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}`);
console.log(
  pinned
    ? "pinning: yes (taskset) — servers on core 0, load generators and the codec table on core 1"
    : "pinning: NO (no taskset, fewer than 2 cores, or BENCH_PIN=0) — servers and load generators share the cores",
);
if (tables.includes("throughput")) await (await import("./throughput.mjs")).throughputTable();
if (tables.includes("scaling")) await (await import("./scaling.mjs")).scalingTable();
if (tables.includes("codec")) await (await import("./codec.mjs")).codecTable();
