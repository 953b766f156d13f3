// Server configuration from defaults, an optional JSON config file, environment variables and
// command-line flags — later ones win: defaults < file < env < flags. Nothing requires a file.
import { readFileSync } from "node:fs";
import { fromJson, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import { AutomationsFileSchema } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EnvironmentInitializerSchema } from "@gitpod-connect/schema/gitpod/v1/environment";
import { corsOriginsProblem } from "./http/cors.js";
import { findStrictJsonProblems } from "./http/json-value-checks.js";
import { defaultSimulationOptions } from "./simulation/simulated-runner.js";
import type { StoreConfig } from "./store/open-store.js";

/** An extra organization, created at start-up (config file `organizations`). */
export interface OrganizationConfig {
  /** UUID; generated when absent. */
  id?: string;
  name: string;
  users?: UserConfig[];
  /** Projects of this organization (CreateEnvironmentFromProject). */
  projects?: ProjectConfig[];
}

/**
 * A project: what CreateEnvironmentFromProject starts an environment from. Top-level `projects` of
 * the config file belong to the bootstrap organization, `organizations[].projects` to theirs.
 */
export interface ProjectConfig {
  /** UUID; generated when absent. */
  id?: string;
  name: string;
  /** The environment class new environments get; default: the bootstrap environment class. */
  environmentClassId?: string;
  /** How the content is set up: a gitpod.v1.EnvironmentInitializer in proto JSON. */
  initializer?: unknown;
  /** The services and tasks its environments get: a gitpod.v1.AutomationsFile in proto JSON. */
  automationsFile?: unknown;
  /** The dev container configuration file, relative to the repository root. */
  devcontainerFilePath?: string;
}

export interface UserConfig {
  /** UUID; generated when absent. */
  id?: string;
  name: string;
  email?: string;
  /** Whether the user administers the organization (default false). */
  admin?: boolean;
  /** Bearer tokens that authenticate as this user. */
  tokens?: string[];
}

export interface ServerConfig {
  host: string;
  port: number;
  /** The bootstrap admin's token (GITPOD_API_KEY); a random one is generated and printed when absent. */
  apiKey?: string;
  organizations: OrganizationConfig[];
  /** Projects of the bootstrap organization (config file `projects`). */
  projects: ProjectConfig[];
  /** The simulated runner: how long each lifecycle step takes, in ms (≥ 0). */
  stepDelayMs: number;
  /** Stopped environments are archived after this long without a start, in ms (≥ 1). */
  archiveAfterMs: number;
  /** Whether the testing-controls surface (/testing/) is served. */
  testingControls: boolean;
  /** The testing controls' own bearer token; generated and printed once when they are enabled without one. */
  testingToken?: string;
  /** Browser origins allowed to call across origins (CORS): `scheme://host[:port]` each, or `*`; none by default. */
  corsOrigins: string[];
  /** PGlite's data directory (the default store), relative to the working directory; default `.gitpod-connect/data`. */
  dataDir?: string;
  /** A PostgreSQL URL: the store is that database instead of PGlite (several replicas may share it). */
  databaseUrl?: string;
  /** Keep state in memory only: nothing survives the process. */
  inMemory: boolean;
}

/** Where `pnpm start` keeps its state when nothing else is said: under the working directory. */
export const defaultDataDir = ".gitpod-connect/data";

/** The store a config asks for: memory, PostgreSQL at databaseUrl, or PGlite in dataDir (the default). */
export function storeConfigOf(config: Pick<ServerConfig, "dataDir" | "databaseUrl" | "inMemory">): StoreConfig {
  if (config.inMemory) return { kind: "memory" };
  if (config.databaseUrl !== undefined) return { kind: "postgres", url: config.databaseUrl };
  return { kind: "pglite", dataDir: config.dataDir ?? defaultDataDir };
}

export const defaultConfig: ServerConfig = {
  host: "127.0.0.1",
  port: 8080,
  organizations: [],
  projects: [],
  stepDelayMs: defaultSimulationOptions.stepDelayMs,
  archiveAfterMs: defaultSimulationOptions.archiveAfterMs,
  testingControls: false,
  corsOrigins: [],
  inMemory: false,
};

export const usage = `Usage: gitpod-connect-server [--host HOST] [--port PORT] [--config FILE.json] [--api-key TOKEN]
                            [--step-delay-ms N] [--archive-after-ms N] [--testing-controls] [--testing-token TOKEN]
                            [--cors-origin ORIGIN]... [--data-dir DIR | --database-url URL | --in-memory]

  --host HOST             address to listen on (env HOST; default 127.0.0.1)
  --port PORT             port to listen on, 0 for any free one (env PORT; default 8080)
  --config FILE           JSON file with extra organizations, users, tokens and projects, and any
                          of the settings below by their camelCase key (env GITPOD_SERVER_CONFIG)
  --api-key TOKEN         the bootstrap admin's bearer token (env GITPOD_API_KEY; default: random, printed once)
  --step-delay-ms N       how long each step of the simulated runner takes, integer >= 0
                          (env GITPOD_STEP_DELAY_MS; default 100)
  --archive-after-ms N    archive stopped environments after N ms without a start, integer >= 1
                          (env GITPOD_ARCHIVE_AFTER_MS; default 604800000, 7 days)
  --testing-controls      serve the testing controls under /testing/ (env GITPOD_TESTING_CONTROLS=1|true; default off)
  --testing-token TOKEN   the testing controls' own bearer token, used only with --testing-controls
                          (env GITPOD_TESTING_TOKEN; default: random, printed once)
  --cors-origin ORIGIN    a browser origin allowed to call the server (CORS), scheme://host[:port] without a
                          path, or * for any; repeatable (env GITPOD_CORS_ORIGINS, comma-separated; default none)
  --data-dir DIR          keep state in PGlite (embedded Postgres) in DIR, created when absent
                          (env GITPOD_DATA_DIR; default .gitpod-connect/data in the working directory)
  --database-url URL      keep state in PostgreSQL at URL instead, e.g. postgres://user:pw@host:5432/db;
                          several servers may share one database (env DATABASE_URL)
  --in-memory             keep state in memory only: nothing survives the process (env GITPOD_IN_MEMORY=1|true)
  --help                  print this text

Later sources win: defaults < config file < environment < flags.`;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError(`${source}: not a port number: ${JSON.stringify(value)}`);
  return port;
}

/** An integer of at least `min` from a flag or an environment variable. */
function parseInteger(value: string, source: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new ConfigError(`${source}: must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** GITPOD_TESTING_CONTROLS / --testing-controls=V: 1|true on, 0|false off. */
function parseSwitch(value: string, source: string): boolean {
  switch (value.trim().toLowerCase()) {
    case "1":
    case "true":
      return true;
    case "0":
    case "false":
      return false;
    default:
      throw new ConfigError(`${source}: must be 1, true, 0 or false, got ${JSON.stringify(value)}`);
  }
}

/** A postgres:// or postgresql:// URL, checked before anything connects; an error names the source but not the URL (it may hold a password). */
function checkDatabaseUrl(value: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "postgres:" && url.protocol !== "postgresql:")) {
    throw new ConfigError(`${source}: must be a postgres:// or postgresql:// URL, e.g. postgres://user:password@127.0.0.1:5432/gitpod`);
  }
  return value;
}

/** The origins of GITPOD_CORS_ORIGINS or --cors-origin, checked; an error names the source. */
function checkCorsOrigins(origins: string[], source: string): string[] {
  const problem = corsOriginsProblem(origins);
  if (problem) throw new ConfigError(`${source}: ${problem}`);
  return origins;
}

const valueFlags = ["host", "port", "config", "api-key", "step-delay-ms", "archive-after-ms", "testing-token", "cors-origin", "data-dir", "database-url"] as const;
type ValueFlag = (typeof valueFlags)[number];

/** Reads flags (argv without node and script) and env into a config. Throws ConfigError for bad input. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig & { help: boolean } {
  const flags = new Map<ValueFlag, string>();
  // The one flag that may be given more than once.
  const corsOriginFlags: string[] = [];
  let testingControlsFlag: boolean | undefined;
  let inMemoryFlag: boolean | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const toggle = /^--testing-controls(?:=(.*))?$/.exec(arg);
    if (toggle) {
      testingControlsFlag = toggle[1] === undefined ? true : parseSwitch(toggle[1], "--testing-controls");
      continue;
    }
    const memory = /^--in-memory(?:=(.*))?$/.exec(arg);
    if (memory) {
      inMemoryFlag = memory[1] === undefined ? true : parseSwitch(memory[1], "--in-memory");
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = m?.[1] as ValueFlag | undefined;
    if (!m || !name || !valueFlags.includes(name)) throw new ConfigError(`unknown argument ${JSON.stringify(arg)}\n${usage}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new ConfigError(`--${name} needs a value`);
    if (name === "cors-origin") corsOriginFlags.push(value);
    else flags.set(name, value);
  }

  const config: ServerConfig = { ...defaultConfig, organizations: [], projects: [], corsOrigins: [] };
  const file = flags.get("config") ?? env.GITPOD_SERVER_CONFIG;
  if (file) Object.assign(config, readConfigFile(file));

  if (env.HOST) config.host = env.HOST;
  if (env.PORT) config.port = parsePort(env.PORT, "PORT");
  if (env.GITPOD_API_KEY) config.apiKey = env.GITPOD_API_KEY;
  if (env.GITPOD_STEP_DELAY_MS) config.stepDelayMs = parseInteger(env.GITPOD_STEP_DELAY_MS, "GITPOD_STEP_DELAY_MS", 0);
  if (env.GITPOD_ARCHIVE_AFTER_MS) config.archiveAfterMs = parseInteger(env.GITPOD_ARCHIVE_AFTER_MS, "GITPOD_ARCHIVE_AFTER_MS", 1);
  if (env.GITPOD_TESTING_CONTROLS) config.testingControls = parseSwitch(env.GITPOD_TESTING_CONTROLS, "GITPOD_TESTING_CONTROLS");
  if (env.GITPOD_TESTING_TOKEN) config.testingToken = env.GITPOD_TESTING_TOKEN;
  if (env.GITPOD_CORS_ORIGINS) config.corsOrigins = checkCorsOrigins(env.GITPOD_CORS_ORIGINS.split(",").map((o) => o.trim()), "GITPOD_CORS_ORIGINS");
  if (env.GITPOD_DATA_DIR) config.dataDir = env.GITPOD_DATA_DIR;
  if (env.DATABASE_URL) config.databaseUrl = checkDatabaseUrl(env.DATABASE_URL, "DATABASE_URL");
  if (env.GITPOD_IN_MEMORY) config.inMemory = parseSwitch(env.GITPOD_IN_MEMORY, "GITPOD_IN_MEMORY");

  if (flags.has("host")) config.host = flags.get("host")!;
  if (flags.has("port")) config.port = parsePort(flags.get("port")!, "--port");
  if (flags.has("api-key")) config.apiKey = flags.get("api-key")!;
  if (flags.has("step-delay-ms")) config.stepDelayMs = parseInteger(flags.get("step-delay-ms")!, "--step-delay-ms", 0);
  if (flags.has("archive-after-ms")) config.archiveAfterMs = parseInteger(flags.get("archive-after-ms")!, "--archive-after-ms", 1);
  if (testingControlsFlag !== undefined) config.testingControls = testingControlsFlag;
  if (flags.has("testing-token")) config.testingToken = flags.get("testing-token")!;
  if (corsOriginFlags.length > 0) config.corsOrigins = checkCorsOrigins(corsOriginFlags, "--cors-origin");
  if (flags.has("data-dir")) config.dataDir = flags.get("data-dir")!;
  if (flags.has("database-url")) config.databaseUrl = checkDatabaseUrl(flags.get("database-url")!, "--database-url");
  if (inMemoryFlag !== undefined) config.inMemory = inMemoryFlag;
  const stores = [config.inMemory && "in memory", config.databaseUrl !== undefined && "a database URL", config.dataDir !== undefined && "a data directory"].filter(Boolean);
  if (stores.length > 1) throw new ConfigError(`choose one store: ${stores.join(" and ")} were both given (--in-memory, --database-url / DATABASE_URL, --data-dir / GITPOD_DATA_DIR)`);

  for (const [name, value] of [["--api-key / GITPOD_API_KEY / apiKey", config.apiKey], ["--testing-token / GITPOD_TESTING_TOKEN / testingToken", config.testingToken]] as const) {
    if (value !== undefined && value.trim() === "") throw new ConfigError(`${name}: must not be empty`);
  }
  if (config.testingControls && config.testingToken !== undefined) {
    // The testing token is a credential of its own: it must never also be an API token.
    const apiTokens = [config.apiKey, ...config.organizations.flatMap((o) => (o.users ?? []).flatMap((u) => u.tokens ?? []))];
    if (apiTokens.includes(config.testingToken)) throw new ConfigError("the testing token must differ from every API token (apiKey and the users' tokens)");
  }
  return { ...config, help };
}

/** Reads and checks a config file (see parseConfigObject). */
export function readConfigFile(path: string): Partial<ServerConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`config file ${path}: ${(e as Error).message}`);
  }
  return parseConfigObject(raw, `config file ${path}`);
}

type Json = Record<string, unknown>;

/**
 * Checks a parsed config file: { host?, port?, apiKey?, stepDelayMs?, archiveAfterMs?,
 * testingControls?, testingToken?, corsOrigins?: [...], organizations?: [...], projects?: [...] }.
 * Every error names its path (`organizations[0].users[1].foo: unknown key`); unknown keys are
 * errors at every level.
 */
export function parseConfigObject(raw: unknown, where = "config"): Partial<ServerConfig> {
  // Typed on the const so that a bare `fail(...)` statement narrows like a throw.
  const fail: (path: string, msg: string) => never = (path, msg) => {
    throw new ConfigError(`${where}: ${path ? `${path}: ` : ""}${msg}`);
  };
  const object = (value: unknown, path: string, keys: readonly string[]): Json => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(path, "must be a JSON object");
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) fail(path ? `${path}.${key}` : key, "unknown key");
    }
    return value as Json;
  };
  const array = (value: unknown, path: string): unknown[] => (Array.isArray(value) ? value : fail(path, "must be an array"));
  const string = (value: unknown, path: string, nonEmpty = false): string => {
    if (typeof value !== "string") return fail(path, "must be a string");
    if (nonEmpty && value === "") fail(path, "must be a non-empty string");
    return value;
  };
  const boolean = (value: unknown, path: string): boolean => (typeof value === "boolean" ? value : fail(path, "must be true or false"));
  const integer = (value: unknown, path: string, min: number): number =>
    typeof value === "number" && Number.isSafeInteger(value) && value >= min ? value : fail(path, `must be an integer >= ${min}`);
  const uuid = (value: unknown, path: string): string => {
    const id = string(value, path);
    return uuidPattern.test(id) ? id : fail(path, `must be a UUID (e.g. 8d2a5c0e-3f1b-4c7a-9e21-5b6f0a9d7c11), got ${JSON.stringify(id)}`);
  };
  /** Ids must be unique per kind: a second record with an id already taken could not be created. */
  const seen = new Map<string, string>();
  const unique = (kind: string, id: string | undefined, path: string): void => {
    if (id === undefined) return;
    const key = `${kind}/${id.toLowerCase()}`;
    const first = seen.get(key);
    if (first !== undefined) fail(path, `the same id as ${first}`);
    seen.set(key, path);
  };
  const tokensSeen = new Map<string, string>();

  const o = object(raw, "", [
    "host",
    "port",
    "apiKey",
    "stepDelayMs",
    "archiveAfterMs",
    "testingControls",
    "testingToken",
    "corsOrigins",
    "organizations",
    "projects",
    "dataDir",
    "databaseUrl",
    "inMemory",
  ]);
  const out: Partial<ServerConfig> = {};
  if (o.host !== undefined) out.host = string(o.host, "host", true);
  if (o.port !== undefined) {
    if (typeof o.port !== "number" && typeof o.port !== "string") fail("port", "must be a port number");
    out.port = parsePort(String(o.port), `${where}: port`);
  }
  if (o.apiKey !== undefined) out.apiKey = string(o.apiKey, "apiKey", true);
  if (o.stepDelayMs !== undefined) out.stepDelayMs = integer(o.stepDelayMs, "stepDelayMs", 0);
  if (o.archiveAfterMs !== undefined) out.archiveAfterMs = integer(o.archiveAfterMs, "archiveAfterMs", 1);
  if (o.testingControls !== undefined) out.testingControls = boolean(o.testingControls, "testingControls");
  if (o.testingToken !== undefined) out.testingToken = string(o.testingToken, "testingToken", true);
  if (o.dataDir !== undefined) out.dataDir = string(o.dataDir, "dataDir", true);
  if (o.databaseUrl !== undefined) {
    const url = string(o.databaseUrl, "databaseUrl", true);
    try {
      out.databaseUrl = checkDatabaseUrl(url, `${where}: databaseUrl`);
    } catch (e) {
      fail("databaseUrl", (e as Error).message.replace(/^.*?databaseUrl: /, ""));
    }
  }
  if (o.inMemory !== undefined) out.inMemory = boolean(o.inMemory, "inMemory");
  if (o.corsOrigins !== undefined) {
    const origins = array(o.corsOrigins, "corsOrigins").map((v, k) => string(v, `corsOrigins[${k}]`));
    const problem = corsOriginsProblem(origins);
    if (problem) fail("corsOrigins", problem);
    out.corsOrigins = origins;
  }

  const project = (value: unknown, path: string): ProjectConfig => {
    const p = object(value, path, ["id", "name", "environmentClassId", "initializer", "automationsFile", "devcontainerFilePath"]);
    const id = p.id === undefined ? undefined : uuid(p.id, `${path}.id`);
    unique("project", id, `${path}.id`);
    const result: ProjectConfig = { ...(id !== undefined ? { id } : {}), name: string(p.name, `${path}.name`, true) };
    if (p.environmentClassId !== undefined) result.environmentClassId = uuid(p.environmentClassId, `${path}.environmentClassId`);
    if (p.initializer !== undefined) result.initializer = protoJson(EnvironmentInitializerSchema, p.initializer, `${path}.initializer`, fail);
    if (p.automationsFile !== undefined) result.automationsFile = protoJson(AutomationsFileSchema, p.automationsFile, `${path}.automationsFile`, fail);
    if (p.devcontainerFilePath !== undefined) result.devcontainerFilePath = string(p.devcontainerFilePath, `${path}.devcontainerFilePath`);
    return result;
  };
  const user = (value: unknown, path: string): UserConfig => {
    const u = object(value, path, ["id", "name", "email", "admin", "tokens"]);
    const id = u.id === undefined ? undefined : uuid(u.id, `${path}.id`);
    unique("user", id, `${path}.id`);
    const tokens = u.tokens === undefined ? [] : array(u.tokens, `${path}.tokens`).map((t, k) => string(t, `${path}.tokens[${k}]`, true));
    tokens.forEach((t, k) => {
      const first = tokensSeen.get(t);
      if (first !== undefined) fail(`${path}.tokens[${k}]`, `the same token as ${first}`);
      tokensSeen.set(t, `${path}.tokens[${k}]`);
    });
    return {
      ...(id !== undefined ? { id } : {}),
      name: string(u.name, `${path}.name`, true),
      ...(u.email !== undefined ? { email: string(u.email, `${path}.email`) } : {}),
      ...(u.admin !== undefined ? { admin: boolean(u.admin, `${path}.admin`) } : {}),
      tokens,
    };
  };
  if (o.organizations !== undefined) {
    out.organizations = array(o.organizations, "organizations").map((value, i) => {
      const path = `organizations[${i}]`;
      const org = object(value, path, ["id", "name", "users", "projects"]);
      const id = org.id === undefined ? undefined : uuid(org.id, `${path}.id`);
      unique("organization", id, `${path}.id`);
      const name = string(org.name, `${path}.name`, true);
      const users = org.users === undefined ? [] : array(org.users, `${path}.users`).map((u, j) => user(u, `${path}.users[${j}]`));
      const projects = org.projects === undefined ? undefined : array(org.projects, `${path}.projects`).map((p, k) => project(p, `${path}.projects[${k}]`));
      return { ...(id !== undefined ? { id } : {}), name, users, ...(projects !== undefined ? { projects } : {}) };
    });
  }
  if (o.projects !== undefined) out.projects = array(o.projects, "projects").map((p, k) => project(p, `projects[${k}]`));
  return out;
}

/**
 * A value that must be the proto JSON of `schema`, checked strictly (unknown keys and unknown
 * enum names are errors). Returned as written: the server reads it with fromJson when it uses it.
 */
function protoJson(schema: DescMessage, value: unknown, path: string, fail: (path: string, msg: string) => never): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(path, `must be a JSON object (a ${schema.typeName})`);
  try {
    fromJson(schema, value as JsonValue);
  } catch (e) {
    // Say where, when the walk can tell (an unknown key or enum name); else protobuf-es's words.
    const [problem] = findStrictJsonProblems(schema, value);
    if (problem) fail(`${path}.${problem.path}`, `${problem.message} (in a ${schema.typeName})`);
    fail(path, `not a valid ${schema.typeName}: ${(e as Error).message}`);
  }
  return value;
}
