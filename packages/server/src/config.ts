// Server configuration from defaults, an optional JSON config file, environment variables and
// command-line flags — later ones win: defaults < file < env < flags. Nothing requires a file.
import { readFileSync } from "node:fs";

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
}

export const defaultConfig: ServerConfig = { host: "127.0.0.1", port: 8080, organizations: [] };

export const usage = `Usage: gitpod-connect-server [--host HOST] [--port PORT] [--config FILE.json] [--api-key TOKEN]

  --host HOST       address to listen on (env HOST; default 127.0.0.1)
  --port PORT       port to listen on, 0 for any free one (env PORT; default 8080)
  --config FILE     JSON file with extra organizations, users and tokens (env GITPOD_SERVER_CONFIG)
  --api-key TOKEN   the bootstrap admin's bearer token (env GITPOD_API_KEY; default: random, printed once)
  --help            print this text`;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError(`${source}: not a port number: ${JSON.stringify(value)}`);
  return port;
}

/** Reads flags (argv without node and script) and env into a config. Throws ConfigError for bad input. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig & { help: boolean } {
  const flags = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const m = /^--(host|port|config|api-key)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ConfigError(`unknown argument ${JSON.stringify(arg)}\n${usage}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new ConfigError(`--${m[1]} needs a value`);
    flags.set(m[1]!, value);
  }

  const config: ServerConfig = { ...defaultConfig, organizations: [] };
  const file = flags.get("config") ?? env.GITPOD_SERVER_CONFIG;
  if (file) Object.assign(config, readConfigFile(file));
  if (env.HOST) config.host = env.HOST;
  if (env.PORT) config.port = parsePort(env.PORT, "PORT");
  if (env.GITPOD_API_KEY) config.apiKey = env.GITPOD_API_KEY;
  if (flags.has("host")) config.host = flags.get("host")!;
  if (flags.has("port")) config.port = parsePort(flags.get("port")!, "--port");
  if (flags.has("api-key")) config.apiKey = flags.get("api-key")!;
  return { ...config, help };
}

/** Reads and checks a config file: { host?, port?, apiKey?, organizations?: [...] }. */
export function readConfigFile(path: string): Partial<ServerConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`config file ${path}: ${(e as Error).message}`);
  }
  return parseConfigObject(raw, `config file ${path}`);
}

export function parseConfigObject(raw: unknown, where = "config"): Partial<ServerConfig> {
  const fail = (msg: string): never => {
    throw new ConfigError(`${where}: ${msg}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("must be a JSON object");
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!["host", "port", "apiKey", "organizations"].includes(key)) fail(`unknown key ${JSON.stringify(key)}`);
  }
  const out: Partial<ServerConfig> = {};
  if (o.host !== undefined) out.host = typeof o.host === "string" ? o.host : fail("host must be a string");
  if (o.port !== undefined) out.port = parsePort(String(o.port), `${where}: port`);
  if (o.apiKey !== undefined) out.apiKey = typeof o.apiKey === "string" ? o.apiKey : fail("apiKey must be a string");
  if (o.organizations !== undefined) {
    if (!Array.isArray(o.organizations)) fail("organizations must be an array");
    out.organizations = (o.organizations as unknown[]).map((org, i) => {
      const at = `organizations[${i}]`;
      if (typeof org !== "object" || org === null) return fail(`${at} must be an object`);
      const { id, name, users } = org as Record<string, unknown>;
      if (typeof name !== "string" || name === "") fail(`${at}.name must be a non-empty string`);
      if (id !== undefined && typeof id !== "string") fail(`${at}.id must be a string`);
      if (users !== undefined && !Array.isArray(users)) fail(`${at}.users must be an array`);
      return {
        ...(id !== undefined ? { id: id as string } : {}),
        name: name as string,
        users: ((users as unknown[] | undefined) ?? []).map((u, j) => {
          const uat = `${at}.users[${j}]`;
          if (typeof u !== "object" || u === null) return fail(`${uat} must be an object`);
          const user = u as Record<string, unknown>;
          if (typeof user.name !== "string" || user.name === "") fail(`${uat}.name must be a non-empty string`);
          if (user.id !== undefined && typeof user.id !== "string") fail(`${uat}.id must be a string`);
          if (user.email !== undefined && typeof user.email !== "string") fail(`${uat}.email must be a string`);
          if (user.admin !== undefined && typeof user.admin !== "boolean") fail(`${uat}.admin must be a boolean`);
          const tokens = user.tokens ?? [];
          if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== "string" || t === "")) {
            fail(`${uat}.tokens must be an array of non-empty strings`);
          }
          return {
            ...(user.id !== undefined ? { id: user.id as string } : {}),
            name: user.name as string,
            ...(user.email !== undefined ? { email: user.email as string } : {}),
            ...(user.admin !== undefined ? { admin: user.admin as boolean } : {}),
            tokens: tokens as string[],
          };
        }),
      };
    });
  }
  return out;
}
