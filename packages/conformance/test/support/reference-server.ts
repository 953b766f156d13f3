// Our reference server's built CLI (packages/server/dist/cli.js) as a child process, started as an
// operator would start it for the kit: a free port on 127.0.0.1, the testing controls on, and a
// second organization with its own user and token. Every process started here is SIGKILLed by
// `stopAll` (afterAll), so a failed assertion leaves none running. The kit never imports the
// server: this is the only place that knows it, and only as a program.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The server package's built CLI, through the workspace dependency's link in node_modules. */
export const serverCli = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", "@gitpod-connect", "server", "dist", "cli.js");

export const adminToken = "conformance-admin-token";
export const otherToken = "conformance-other-org-token";
export const testingToken = "conformance-testing-token";

export interface ReferenceServer {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function stopAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export type Store = { kind: "memory" } | { kind: "pglite" } | { kind: "postgres"; url: string };

/** Starts the server on `store`; resolves once it prints its "listening on" line. */
export async function startReferenceServer(store: Store, options: { stepDelayMs?: number } = {}): Promise<ReferenceServer> {
  if (!existsSync(serverCli)) throw new Error(`${serverCli} is missing: run \`npx -y pnpm@10.34.9 --filter @gitpod-connect/server build\` first`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "conformance-server-"));
  tempDirs.add(dir);
  const config = path.join(dir, "config.json");
  writeFileSync(config, JSON.stringify({ organizations: [{ name: "Other", users: [{ name: "olga", email: "olga@other.test", tokens: [otherToken] }] }] }));
  const storeArgs = store.kind === "memory" ? ["--in-memory"] : store.kind === "pglite" ? ["--data-dir", path.join(dir, "data")] : ["--database-url", store.url];
  const args = [
    serverCli,
    "--port",
    "0",
    ...storeArgs,
    "--api-key",
    adminToken,
    "--testing-controls",
    "--testing-token",
    testingToken,
    "--step-delay-ms",
    String(options.stepDelayMs ?? 20),
    "--config",
    config,
  ];
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve(m[1]!);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exit.then((code) => reject(new Error(`the server exited (${String(code)}) before listening:\n${out}`)));
  });
  return {
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exit;
        clearTimeout(killer);
      }
      children.delete(child);
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}
