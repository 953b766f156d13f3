// What every table shares: where the built server is, how processes are pinned to cores, how a
// child server is spawned and asked for its CPU time, percentiles and table printing.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

export const serverDist = fileURLToPath(new URL("../../server/dist/", import.meta.url));
export const serverCli = `${serverDist}cli.js`;
export const apiKey = "bench-admin-key";
/** The simulated runner must not move anything while a case runs: one step per ~23 days. */
export const stepDelayMs = 2_000_000_000;

export const envNumber = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
export const envList = (name, fallback) => (process.env[name] ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);

/**
 * Pinning: with `taskset` (util-linux) and at least two cores, run.mjs re-runs itself on core 1
 * (the load generators, the codec table) and every server child starts on core 0. BENCH_PIN=0
 * turns it off.
 */
export function pinningAvailable() {
  if (process.env.BENCH_PIN === "0" || availableParallelism() < 2) return false;
  return spawnSync("taskset", ["-V"], { stdio: "ignore" }).status === 0;
}
export const pinned = process.env.BENCH_PINNED === "1";
/** The command prefix that puts a server child on core 0 ([] when not pinned). */
export const serverLauncher = pinned ? ["taskset", "-c", "0"] : [];

/** Spawns `node [nodeArgs] script [args]` as a server child (pinned), with an IPC channel. */
export function spawnNodeChild(script, args = [], nodeArgs = []) {
  const [cmd, ...pre] = [...serverLauncher, process.execPath];
  const child = spawn(cmd, [...pre, ...nodeArgs, script, ...args], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
  const waiters = [];
  child.on("message", (m) => {
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const failed = exited.then((code) => Promise.reject(new Error(`${script} exited (${code})`)));
  failed.catch(() => undefined);
  return {
    child,
    /** Sends `message` and resolves with the child's next message of type `reply`. */
    ask(message, reply = message.type) {
      const answer = new Promise((resolve) => waiters.push({ type: reply, resolve }));
      child.send(message);
      return Promise.race([answer, failed]);
    },
    /** The child's user+system CPU time so far, µs (process.cpuUsage() in the child). */
    async cpuMicros() {
      const { usage } = await this.ask({ type: "cpu" });
      return usage.user + usage.system;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** In a child: answers the parent's "cpu" messages and exits on "stop"/SIGTERM. */
export function serveChildControl(onMessage = async () => undefined) {
  process.on("message", (m) => {
    if (m.type === "cpu") process.send({ type: "cpu", usage: process.cpuUsage() });
    else
      void onMessage(m).catch((e) => {
        console.error(e);
        process.exit(1);
      });
  });
  process.on("SIGTERM", () => process.exit(0));
}

export function requireBuiltServer() {
  if (!existsSync(serverCli)) {
    console.error(`${serverCli} is missing: build the server first — npx -y pnpm@10.34.9 --filter @gitpod-connect/server build`);
    process.exit(1);
  }
}

/** p-th percentile (nearest rank) of `values`. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
export const median = (values) => percentile(values, 50);

/** Prints a Markdown table: `columns` are [title, align "l"|"r"], `rows` arrays of strings. */
export function printTable(columns, rows) {
  const widths = columns.map(([t], i) => Math.max(t.length, ...rows.map((r) => String(r[i]).length)));
  const cell = (s, i) => (columns[i][1] === "r" ? String(s).padStart(widths[i]) : String(s).padEnd(widths[i]));
  console.log(`| ${columns.map(([t], i) => cell(t, i)).join(" | ")} |`);
  console.log(`| ${columns.map(([, a], i) => (a === "r" ? "-".repeat(widths[i] - 1) + ":" : "-".repeat(widths[i]))).join(" | ")} |`);
  for (const r of rows) console.log(`| ${r.map(cell).join(" | ")} |`);
}

export const fixed = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "—");
export const sizeLabel = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
export const verdict = (ok) => (ok ? "holds" : "MISSED");
