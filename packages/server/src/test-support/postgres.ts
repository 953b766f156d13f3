// A real PostgreSQL for the database tests: a throwaway cluster (initdb) in a temporary directory,
// listening on 127.0.0.1 on a free port, stopped and deleted by stop(). PostgreSQL refuses to run
// as root, so as root the cluster belongs to the `postgres` user the Debian package creates.
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import pg from "pg";

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust authentication, no password). */
  url: string;
  port: number;
  dataDir: string;
  /** Stops the cluster (fast shutdown), waits for it to exit and deletes its directory. */
  stop(): Promise<void>;
}

/** The database superuser of every cluster, whatever OS user runs it. */
const superuser = "postgres";
const requiredBinaries = ["initdb", "pg_ctl", "postgres"];
const missingPackageHint = "install the Debian package `postgresql` (scripts/install-system-packages.sh does)";

/** The directory holding initdb, pg_ctl and postgres, or undefined. */
function findBinDir(): string | undefined {
  const hasAll = (dir: string) => requiredBinaries.every((b) => existsSync(path.join(dir, b)));
  const candidates: string[] = [];
  try {
    // Debian's /usr/bin/pg_config comes with libpq-dev and may name a version without a server.
    candidates.push(execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
  } catch {
    // no pg_config
  }
  const debianRoot = "/usr/lib/postgresql";
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debianRoot, v, "bin")));
  }
  // PATH may hold symlinks (/usr/local/bin/initdb): use the directory they point into.
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

/** Who runs initdb and postgres: the `postgres` user when we are root, else ourselves (undefined). */
function runAs(): RunAs | undefined | Error {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    return new Error(`running as root, and PostgreSQL refuses to run as root, but there is no \`postgres\` user to run it as; ${missingPackageHint}`);
  }
}

/** Why PostgreSQL cannot be started here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  if (!findBinDir()) {
    return `PostgreSQL server binaries (${requiredBinaries.join(", ")}) not found via pg_config --bindir, /usr/lib/postgresql/*/bin or PATH; ${missingPackageHint}`;
  }
  const user = runAs();
  return user instanceof Error ? user.message : undefined;
}

/** Runs a PostgreSQL binary as `user`; rejects with its output when it fails. */
function run(binary: string, args: string[], user: RunAs | undefined, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Node drops root's supplementary groups when uid is set: the same as runuser, minus PAM.
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

/** A port nobody listens on right now (another process may still take it before postgres does). */
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

function isAlive(pid: number): boolean {
  try {
    // PID 1 of a container may never reap the daemonized postmaster: a zombie counts as gone.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

function killHard(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Clusters not yet stopped; the exit handler kills what a test forgot (or could not) stop. */
const running = new Map<string, { pid: number; dir: string }>();
let exitHandlerInstalled = false;

function track(dataDir: string, pid: number, dir: string): void {
  running.set(dataDir, { pid, dir });
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  // Only synchronous work is possible here: kill -9 (postgres' data is thrown away anyway).
  process.on("exit", () => {
    for (const { pid, dir } of running.values()) {
      killHard(pid);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, "utf8").trim();
  } catch {
    return "(no log)";
  }
}

/** The postmaster's pid: the first line of postmaster.pid, written once it runs. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

const portAttempts = 3;

/** Starts a fresh cluster; `database` (default "postgres") is created when it does not exist. */
export async function startPostgres(options: { database?: string } = {}): Promise<RunningPostgres> {
  const missing = postgresMissing();
  if (missing) throw new Error(missing);
  const binDir = findBinDir()!;
  const user = runAs() as RunAs | undefined;
  const bin = (name: string) => path.join(binDir, name);

  const dir = mkdtempSync(path.join(os.tmpdir(), "pg-test-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  try {
    await run(bin("initdb"), ["-D", dataDir, "-U", superuser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], user, dir);
    // fsync stays on: a cluster that survives its clients' crashes is what the crash tests need.
    appendFileSync(
      path.join(dataDir, "postgresql.conf"),
      [
        "",
        "# test harness (packages/server/src/test-support/postgres.ts)",
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir.replaceAll("'", "''")}'`,
        "max_connections = 200",
        "",
      ].join("\n"),
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
        const log = readLog(logFile);
        // Another process took the port between freePort() and postgres binding it: try another.
        if (attempt < portAttempts && /could not bind|Address already in use/i.test(log)) continue;
        throw new Error(`${(e as Error).message}\npostgres log:\n${log}`, { cause: e });
      }
    }
    const pid = postmasterPid(dataDir);
    if (pid === undefined) throw new Error(`postgres started but wrote no postmaster.pid; log:\n${readLog(logFile)}`);
    track(dataDir, pid, dir);

    const urlOf = (database: string) => `postgres://${superuser}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    let stopped: Promise<void> | undefined;
    const cluster: RunningPostgres = {
      url: urlOf("postgres"),
      port,
      dataDir,
      stop: () => (stopped ??= stopCluster(bin("pg_ctl"), dataDir, pid, dir, user)),
    };
    const database = options.database ?? "postgres";
    if (database !== "postgres") cluster.url = await createDatabase(cluster, database);
    return cluster;
  } catch (e) {
    const pid = postmasterPid(dataDir);
    if (pid !== undefined) killHard(pid);
    running.delete(dataDir);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function stopCluster(pgCtl: string, dataDir: string, pid: number, dir: string, user: RunAs | undefined): Promise<void> {
  try {
    // -w: returns once the postmaster has removed postmaster.pid, i.e. it is shutting down for good.
    await run(pgCtl, ["stop", "-D", dataDir, "-m", "fast", "-w", "-t", "60"], user, dir);
  } catch (e) {
    killHard(pid);
    throw e;
  } finally {
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    running.delete(dataDir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates an empty database `name` on the cluster; returns its url. */
export async function createDatabase(cluster: RunningPostgres, name: string): Promise<string> {
  const url = new URL(cluster.url);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.href;
}
