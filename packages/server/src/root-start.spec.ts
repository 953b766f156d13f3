// `pnpm start` from the repository root, as the README tells a user to run it: turbo builds and
// runs the server's start task in strict environment mode, which drops every environment variable
// turbo.json does not pass through. These tests start it with the documented variables and check
// that the server got them; they also check that turbo.json passes every variable the server reads.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { http1Request } from "./test-support/raw-request.js";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = join(packageRoot, "..", "..");
// The pinned pnpm, a root devDependency.
const pnpm = join(repoRoot, "node_modules", ".bin", "pnpm");

/** The variables the server documents; each must reach it through `pnpm start`. */
const serverEnv = [
  "HOST",
  "PORT",
  "GITPOD_API_KEY",
  "GITPOD_SERVER_CONFIG",
  "GITPOD_SERVER_SECRET",
  "GITPOD_STEP_DELAY_MS",
  "GITPOD_ARCHIVE_AFTER_MS",
  "GITPOD_TESTING_CONTROLS",
  "GITPOD_TESTING_TOKEN",
  "GITPOD_CORS_ORIGINS",
  "GITPOD_DATA_DIR",
  "DATABASE_URL",
  "GITPOD_IN_MEMORY",
];

const started = new Set<ChildProcess>();
afterEach(async () => {
  // A failed assertion must not leave turbo or the server running.
  for (const child of started) await stopGroup(child);
  started.clear();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Start {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** Runs the root's `pnpm start` in a process group of its own, with `env` on top of a clean environment. */
function pnpmStart(env: Record<string, string>): Start {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !serverEnv.includes(key) && !key.startsWith("TURBO_")),
  ) as Record<string, string>;
  const child = spawn(pnpm, ["start"], {
    cwd: repoRoot,
    env: { ...base, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  started.add(child);
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // eslint-disable-next-line no-control-regex -- ESC is what an ANSI colour sequence starts with
  return { child, output: () => out.replace(/\x1b\[[0-9;]*m/g, ""), exit };
}

/** Resolves with the URL of the "listening on" line; rejects if `pnpm start` ends first or takes too long. */
function listening(start: Start, timeoutMs = 240_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${timeoutMs} ms:\n${start.output()}`)), timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(start.output());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    start.child.stdout!.on("data", check);
    start.child.stderr!.on("data", check);
    void start.exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`pnpm start exited with ${code}:\n${start.output()}`));
    });
  });
}

/** Whether any process of the group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM to the whole group (pnpm and turbo; turbo stops its task's own process group in turn),
 * then waits until every process of the group is gone; SIGKILL for what lingers after 20 s.
 */
async function stopGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined || !groupAlive(pgid)) return;
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    return; // gone meanwhile
  }
  const deadline = Date.now() + 20_000;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

describe("pnpm start from the repository root", () => {
  it(
    "passes HOST, PORT, GITPOD_API_KEY, GITPOD_SERVER_CONFIG, the step delay, the testing controls, the CORS origins and the data directory to the server",
    async () => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), "root-start-"));
      const config = join(dir, "config.json");
      writeFileSync(config, JSON.stringify({ organizations: [{ name: "Acme", users: [{ name: "alice", tokens: ["alice-token"] }] }] }));
      const start = pnpmStart({
        HOST: "127.0.0.1",
        PORT: String(port),
        GITPOD_API_KEY: "root-start-key",
        GITPOD_SERVER_CONFIG: config,
        GITPOD_STEP_DELAY_MS: "0",
        GITPOD_ARCHIVE_AFTER_MS: "60000",
        GITPOD_TESTING_CONTROLS: "1",
        GITPOD_TESTING_TOKEN: "root-start-testing-token",
        GITPOD_CORS_ORIGINS: "http://root-start.test",
        GITPOD_DATA_DIR: join(dir, "data"),
      });
      const url = await listening(start);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      const out = start.output();
      expect(out).toContain("admin token: the GITPOD_API_KEY / --api-key given");
      expect(out).toContain(`store: PGlite in ${join(dir, "data")}`);
      expect(out).toContain(`testing controls enabled under ${url}/testing/v1`);
      expect(out).toContain("testing token: the GITPOD_TESTING_TOKEN / --testing-token given");
      expect(out).not.toContain("root-start-key");

      for (const token of ["root-start-key", "alice-token"]) {
        const res = await fetch(`${url}/gitpod.v1.RunnerService/ListRunners`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: "{}",
        });
        expect(res.status, token).toBe(200);
      }
      const anonymous = await fetch(`${url}/gitpod.v1.RunnerService/ListRunners`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(anonymous.status).toBe(401);
      const controls = await fetch(`${url}/testing/v1/clock`, { headers: { authorization: "Bearer root-start-testing-token" } });
      expect(controls.status).toBe(200);
      expect(await controls.json()).toMatchObject({ frozen: false });
      const preflight = await http1Request(`${url}/gitpod.v1.RunnerService/ListRunners`, {
        method: "OPTIONS",
        headers: { origin: "http://root-start.test", "access-control-request-method": "POST" },
      });
      expect([preflight.status, preflight.headers["access-control-allow-origin"]]).toEqual([204, "http://root-start.test"]);

      await stopGroup(start.child);
      // turbo stopped its task too: nothing answers on the port any more.
      const deadline = Date.now() + 15_000;
      while ((await answers(url)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await answers(url)).toBe(false);
    },
    300_000,
  );

  it.each([
    ["GITPOD_STEP_DELAY_MS", "-1", "GITPOD_STEP_DELAY_MS: must be an integer >= 0"],
    ["GITPOD_ARCHIVE_AFTER_MS", "0", "GITPOD_ARCHIVE_AFTER_MS: must be an integer >= 1"],
    ["GITPOD_CORS_ORIGINS", "http://root-start.test/", "GITPOD_CORS_ORIGINS: must be an origin"],
  ])(
    "hands %s=%s to the server, which refuses it",
    async (name, value, message) => {
      const start = pnpmStart({ HOST: "127.0.0.1", PORT: String(await freePort()), [name]: value });
      const code = await Promise.race([start.exit, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 240_000))]);
      expect(code, start.output()).not.toBe(0);
      expect(code, start.output()).not.toBe("timeout");
      expect(start.output()).toContain(message);
      expect(start.output()).not.toContain("listening on");
    },
    300_000,
  );

  it("turbo.json passes through every environment variable the server's code reads", () => {
    const turbo = JSON.parse(readFileSync(join(repoRoot, "turbo.json"), "utf8")) as { tasks: { start: { passThroughEnv?: string[] } } };
    const passed = new Set(turbo.tasks.start.passThroughEnv ?? []);
    const read = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        // test-support/ is the tests' own code (GITPOD_TEST_STORE, PATH), not the server's.
        if (entry.isDirectory()) {
          if (entry.name !== "test-support") walk(path);
        }
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".spec.ts")) {
          for (const m of readFileSync(path, "utf8").matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) read.add(m[1]!);
        }
      }
    };
    walk(join(packageRoot, "src"));
    expect(read.size).toBeGreaterThan(0);
    expect([...read].filter((name) => !passed.has(name)).sort()).toEqual([]);
    expect(serverEnv.filter((name) => !passed.has(name))).toEqual([]);
    expect(existsSync(pnpm)).toBe(true);
  });
});
