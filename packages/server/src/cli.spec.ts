// The CLI as an operator runs it: a child process, real signals.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { http1Request } from "./test-support/raw-request.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "cli.js");

beforeAll(() => {
  // Test what `pnpm start` runs: the compiled CLI, freshly built as `pnpm build` builds it (tsc, then the one-file bundle).
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: root });
  execFileSync(process.execPath, [join(root, "scripts", "bundle-cli.mjs")], { cwd: root });
});

const children = new Set<ChildProcess>();
afterEach(() => {
  // A failed assertion must not leave a server running.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children.clear();
});

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exit: Promise<number | null>;
}

/** Whether the args or env choose a store; if not, the CLI is started in memory, so that it writes no data directory. */
function choosesStore(args: string[], env: Record<string, string>): boolean {
  return args.some((a) => /^--(data-dir|database-url|in-memory)\b/.test(a)) || ["GITPOD_DATA_DIR", "DATABASE_URL", "GITPOD_IN_MEMORY"].some((k) => k in env);
}

function startCli(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Started> {
  const child = spawn(process.execPath, [cli, "--port", "0", ...args], {
    env: { PATH: process.env.PATH ?? "", ...(choosesStore(args, env) ? {} : { GITPOD_IN_MEMORY: "1" }), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(cwd ? { cwd } : {}),
  });
  children.add(child);
  let out = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    // A fresh PGlite data directory takes seconds to initialise.
    const timer = setTimeout(() => reject(new Error(`CLI did not start: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out, exit });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exit.then((code) => reject(new Error(`CLI exited with ${code}: ${out}`)));
  });
}

describe("the CLI", () => {
  it("starts, serves /healthz, and exits 0 on SIGTERM", async () => {
    const s = await startCli([]);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
  });

  it("exits 0 on SIGINT too", async () => {
    const s = await startCli([]);
    s.child.kill("SIGINT");
    expect(await s.exit).toBe(0);
  });

  it("prints a generated admin token once, and that token works", async () => {
    const s = await startCli([]);
    const token = /admin token \(shown once\): (\S+)/.exec(s.output())?.[1];
    expect(token).toBeDefined();
    expect(s.output().split(token!).length - 1).toBe(1);
    const res = await fetch(`${s.url}/gitpod.v1.RunnerService/GetRunner`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ runnerId: "00000000-0000-4000-8000-000000000000" }),
    });
    // Authenticated: whatever the RPC answers (implemented or not), it is not 401.
    expect([200, 404, 501]).toContain(res.status);
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
  });

  it("uses GITPOD_API_KEY as the admin token and takes users from --config", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-"));
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ organizations: [{ name: "Acme", users: [{ name: "a", tokens: ["acme-token"] }] }] }));
    const s = await startCli(["--config", config], { GITPOD_API_KEY: "the-key" });
    expect(s.output()).not.toContain("the-key");
    for (const token of ["the-key", "acme-token"]) {
      const res = await fetch(`${s.url}/gitpod.v1.RunnerService/ListRunners`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: "{}",
      });
      expect([200, 501], token).toContain(res.status);
    }
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
  });

  it("with --testing-controls and no testing token, generates one and prints it once, apart from the admin token", async () => {
    const s = await startCli(["--testing-controls"], { GITPOD_STEP_DELAY_MS: "0", GITPOD_ARCHIVE_AFTER_MS: "60000" });
    const out = s.output();
    expect(out).toContain(`testing controls enabled under ${s.url}/testing/v1`);
    const testing = /testing token \(shown once\): (\S+)/.exec(out)?.[1];
    const admin = /admin token \(shown once\): (\S+)/.exec(out)?.[1];
    expect(testing).toBeDefined();
    expect(testing).not.toBe(admin);
    expect(out.split(testing!).length - 1).toBe(1);
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
  });

  it("never prints a testing token it was given, and mentions none without --testing-controls", async () => {
    const given = await startCli([], { GITPOD_TESTING_CONTROLS: "true", GITPOD_TESTING_TOKEN: "the-testing-token" });
    expect(given.output()).not.toContain("the-testing-token");
    expect(given.output()).toContain("testing token: the GITPOD_TESTING_TOKEN / --testing-token given");
    given.child.kill("SIGTERM");
    expect(await given.exit).toBe(0);
    const off = await startCli([], { GITPOD_TESTING_TOKEN: "the-testing-token" });
    expect(off.output()).not.toContain("testing");
    off.child.kill("SIGTERM");
    expect(await off.exit).toBe(0);
  });

  it("answers CORS preflights for the origins of --cors-origin and GITPOD_CORS_ORIGINS, and says so", async () => {
    const s = await startCli(["--cors-origin", "http://flag.test"], { GITPOD_CORS_ORIGINS: "http://env.test" });
    expect(s.output()).toContain("CORS: browsers may call from http://flag.test");
    const preflight = (origin: string) =>
      http1Request(`${s.url}/gitpod.v1.RunnerService/ListRunners`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    const allowed = await preflight("http://flag.test");
    expect([allowed.status, allowed.headers["access-control-allow-origin"]]).toEqual([204, "http://flag.test"]);
    // The flag replaces the variable.
    expect((await preflight("http://env.test")).status).toBe(403);
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
  });

  it("refuses a bad option value or config file with exit code 2, naming what is wrong", () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-"));
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ organizations: [{ name: "Acme", users: [{ name: "a" }, { name: "b", foo: 1 }] }] }));
    for (const [args, message] of [
      [["--step-delay-ms", "-5"], "--step-delay-ms: must be an integer >= 0"],
      [["--config", config], "organizations[0].users[1].foo: unknown key"],
      [["--database-url", "mysql://x"], "--database-url: must be a postgres:// or postgresql:// URL"],
      [["--data-dir", "/tmp/a", "--in-memory"], "choose one store: in memory and a data directory were both given"],
      [["--cors-origin", "https://app.test/"], '--cors-origin: must be an origin as browsers send it (scheme://host[:port] in lower case, no default port, no path); got "https://app.test/", did you mean "https://app.test"?'],
    ] as const) {
      let status = 0;
      let stderr = "";
      try {
        execFileSync(process.execPath, [cli, ...args], { stdio: "pipe" });
      } catch (e) {
        status = (e as { status: number }).status;
        stderr = String((e as { stderr: Buffer }).stderr);
      }
      expect(status, args.join(" ")).toBe(2);
      expect(stderr).toContain(message);
    }
  });

  it("refuses a bad flag with exit code 2 and the usage", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, [cli, "--nope"], { stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toContain("Usage:");
  });
});

describe("the CLI's store", () => {
  const post = (url: string, token: string, rpc: string, body: unknown) =>
    fetch(`${url}/gitpod.v1.${rpc}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

  it(
    "is PGlite in .gitpod-connect/data under the working directory by default, and keeps state across a restart",
    async () => {
      const cwd = mkdtempSync(join(tmpdir(), "cli-store-"));
      try {
        // GITPOD_IN_MEMORY empty: the CLI's default store (startCli would otherwise choose memory).
        const defaults = { GITPOD_IN_MEMORY: "" };
        const first = await startCli([], defaults, cwd);
        expect(first.output()).toContain(`store: PGlite in ${join(cwd, ".gitpod-connect", "data")}\n`);
        const token = /admin token \(shown once\): (\S+)/.exec(first.output())![1]!;
        const created = await post(first.url, token, "RunnerService/CreateRunner", { name: "Survivor", provider: "RUNNER_PROVIDER_AWS_EC2" });
        expect(created.status).toBe(200);
        const { runner } = (await created.json()) as { runner: { runnerId: string } };
        first.child.kill("SIGTERM");
        expect(await first.exit).toBe(0);
        expect(existsSync(join(cwd, ".gitpod-connect", "data", "PG_VERSION"))).toBe(true);

        const second = await startCli([], defaults, cwd);
        expect(second.output()).toContain("resumed with the state of earlier starts");
        // The same bootstrap ids; a new admin token, and the first one still valid.
        expect(/bootstrap organization (\S+),/.exec(second.output())?.[1]).toBe(/bootstrap organization (\S+),/.exec(first.output())?.[1]);
        const newToken = /admin token \(shown once; the tokens of earlier starts stay valid\): (\S+)/.exec(second.output())![1]!;
        expect(newToken).not.toBe(token);
        for (const t of [token, newToken]) {
          const got = await post(second.url, t, "RunnerService/GetRunner", { runnerId: runner.runnerId });
          expect(got.status, t).toBe(200);
          expect(((await got.json()) as { runner: { name: string } }).runner.name).toBe("Survivor");
        }
        second.child.kill("SIGTERM");
        expect(await second.exit).toBe(0);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it("says when it keeps state in memory only (--in-memory)", async () => {
    const s = await startCli(["--in-memory"]);
    expect(s.output()).toContain("store: in memory (state ends with the process)");
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
  });

  it("exits 1 naming the database when PostgreSQL cannot be reached, and prints no listening line", async () => {
    const child = spawn(process.execPath, [cli, "--port", "0", "--database-url", "postgres://nobody:secret-pw@127.0.0.1:1/gitpod"], {
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(out).toMatch(/ECONNREFUSED|connect/);
    expect(out).not.toContain("listening on");
    expect(out).not.toContain("secret-pw");
  });
});
