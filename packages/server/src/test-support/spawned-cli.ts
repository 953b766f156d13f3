// The built CLI (dist/cli.js) as a child process, for the tests that run the server as an operator
// does — several on one database, killed with SIGKILL and started again. Every process started is
// killed by `killAll` (call it in afterEach), so a failed assertion leaves none running.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

export const cliPath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "cli.js");

export interface SpawnedCli {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  exit: Promise<number | null>;
  /** A Connect JSON client (HTTP/1.1) sending `token` as its bearer token. */
  client<S extends DescService>(service: S, token: string): Client<S>;
}

const children = new Set<ChildProcess>();

/** SIGKILLs every CLI process still running. */
export function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children.clear();
}

/** Throws, saying how to build it, when dist/cli.js is missing. */
export function requireBuiltCli(): void {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`pnpm --filter @gitpod-connect/server build\` first`);
}

/** Starts `node dist/cli.js --port 0 …args`; resolves once it prints its "listening on" line. */
export function spawnCli(args: string[], options: { timeoutMs?: number; name?: string } = {}): Promise<SpawnedCli> {
  const name = options.name ?? "the server";
  const child = spawn(process.execPath, [cliPath, "--port", "0", ...args], { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), options.timeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = m[1]!;
      const client = <S extends DescService>(service: S, token: string) =>
        createClient(
          service,
          createConnectTransport({
            baseUrl: url,
            httpVersion: "1.1",
            interceptors: [
              (next) => (req) => {
                req.header.set("authorization", `Bearer ${token}`);
                return next(req);
              },
            ],
          }),
        );
      resolve({ child, url, output: () => out, exit, client });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exit.then((code) => reject(new Error(`${name} exited (${String(code)}) before listening:\n${out}`)));
  });
}
