// A real PostgreSQL for the run on our server's PostgreSQL store: a throwaway cluster (initdb) in
// a temporary directory, on 127.0.0.1 and a free port, stopped and deleted by stop(). The same
// approach as the server's own tests (packages/server/src/test-support/postgres.ts), trimmed to
// what the kit's tests need; the kit does not import the server's sources. PostgreSQL refuses to
// run as root, so as root the cluster belongs to the `postgres` user the Debian package creates.
// Without the binaries `startPostgres` throws, saying what to install: the test fails, never skips.
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  readonly url: string;
  stop(): Promise<void>;
}

const requiredBinaries = ["initdb", "pg_ctl", "postgres"];
const hint = "install the Debian package `postgresql` (scripts/install-system-packages.sh does)";

function findBinDir(): string | undefined {
  const hasAll = (dir: string) => requiredBinaries.every((b) => existsSync(path.join(dir, b)));
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
  } catch {
    // no pg_config
  }
  const debianRoot = "/usr/lib/postgresql";
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debianRoot, v, "bin")));
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const initdb = path.join(dir, "initdb");
    if (existsSync(initdb)) candidates.push(path.dirname(realpathSync(initdb)));
  }
  return candidates.find(hasAll);
}

interface RunAs {
  uid: number;
  gid: number;
}

function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(`running as root, PostgreSQL refuses to run as root, and there is no \`postgres\` user to run it as; ${hint}`);
  }
}

function run(binary: string, args: string[], user: RunAs | undefined, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, stdio: ["ignore", "pipe", "pipe"], ...user, env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${path.basename(binary)} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function killHard(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export async function startPostgres(): Promise<RunningPostgres> {
  const binDir = findBinDir();
  if (binDir === undefined) {
    throw new Error(`PostgreSQL server binaries (${requiredBinaries.join(", ")}) not found via pg_config --bindir, /usr/lib/postgresql/*/bin or PATH; ${hint}`);
  }
  const user = runAs();
  const bin = (name: string) => path.join(binDir, name);
  const dir = mkdtempSync(path.join(os.tmpdir(), "conformance-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  // Only synchronous work is possible at exit: kill -9 what a failed test could not stop.
  const onExit = () => {
    killHard(postmasterPid(dataDir));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(bin("initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], user, dir);
    appendFileSync(
      path.join(dataDir, "postgresql.conf"),
      ["", "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir.replaceAll("'", "''")}'`, "max_connections = 100", "fsync = off", ""].join("\n"),
    );
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeFileSync(logFile, "");
      if (user) chownSync(logFile, user.uid, user.gid);
      try {
        await run(bin("pg_ctl"), ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", `-p ${port}`], user, dir);
        break;
      } catch (e) {
        const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
        if (attempt < 3 && /could not bind|Address already in use/i.test(log)) continue;
        throw new Error(`${(e as Error).message}\npostgres log:\n${log}`, { cause: e });
      }
    }
    process.once("exit", onExit);
    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: () =>
        (stopped ??= (async () => {
          try {
            await run(bin("pg_ctl"), ["stop", "-D", dataDir, "-m", "fast", "-w", "-t", "60"], user, dir);
          } catch {
            killHard(postmasterPid(dataDir));
          } finally {
            process.removeListener("exit", onExit);
            rmSync(dir, { recursive: true, force: true });
          }
        })()),
    };
  } catch (e) {
    onExit();
    throw e;
  }
}
