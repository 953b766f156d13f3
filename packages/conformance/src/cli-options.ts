// The command line of `gitpod-conformance`: flags, and a target file holding the same settings
// as JSON (flags win). A usage error names the flag (or the file's key) and exits with code 2.
import { readFileSync } from "node:fs";
import { protocols as allProtocols, type Protocol } from "./scenario.js";

export interface KitOptions {
  /** The target's base URL: http://host:port (and a path prefix, if any). */
  url: string;
  token: string;
  /** The protocols the target declares; every scenario runs once per protocol. */
  protocols: Protocol[];
  /** A user of another organization: enables the "second-organization" scenarios. */
  secondToken?: string;
  /** Where the testing controls are served (default: `url`). */
  testingUrl?: string;
  /** Their token: enables the "testing-controls" scenarios. */
  testingToken?: string;
  /** Scenario id prefixes, "Service.Rpc" or "Service" to run (all when empty) … */
  only: string[];
  /** … and to leave out. */
  skip: string[];
  deviationsFile?: string;
  reportJson?: string;
  reportJunit?: string;
  /** How many scenarios run at once (those needing testing controls always run alone). */
  concurrency: number;
  /** Print the scenario per service and protocol instead of running them. */
  list: boolean;
  help: boolean;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const usage = `Usage: gitpod-conformance --url URL --token TOKEN [options]

Runs the Gitpod v1 API conformance scenarios against a target and reports per RPC and protocol.

  --url URL              the target, e.g. http://127.0.0.1:8080 (required)
  --token T              a bearer token of a user of the target (required)
  --target FILE          JSON with any of these settings by camelCase key ({"url", "token", …}); flags win
  --protocols LIST       the protocols the target declares, comma-separated
                         (default: connect-json,connect-binary,grpc-web,grpc)
  --second-token T       a user of another organization: runs the isolation scenarios
  --testing-url URL      where the testing controls are (default: --url)
  --testing-token T      the testing controls' token: runs the scenarios that need them
  --only P               run only scenarios whose id starts with P, or of RPC "Service.Rpc", or service P (repeatable)
  --skip P               leave those out (repeatable; after --only)
  --deviations FILE      known deviations: {"deviations": [{"scenario", "protocol"?, "reason"}]}
  --report-json FILE     write every result as JSON
  --report-junit FILE    write a JUnit XML report
  --concurrency N        scenarios run at once (default 4)
  --list                 list the scenarios per service and exit (no target needed)
  --help                 this text

Exit code: 0 when nothing failed but known deviations, 1 when anything else failed, 2 on a usage error.`;

type Key = keyof KitOptions;
const valueFlags: Record<string, Key> = {
  "--url": "url",
  "--token": "token",
  "--protocols": "protocols",
  "--second-token": "secondToken",
  "--testing-url": "testingUrl",
  "--testing-token": "testingToken",
  "--only": "only",
  "--skip": "skip",
  "--deviations": "deviationsFile",
  "--report-json": "reportJson",
  "--report-junit": "reportJunit",
  "--concurrency": "concurrency",
};
const flagOf = Object.fromEntries(Object.entries(valueFlags).map(([flag, key]) => [key, flag])) as Partial<Record<Key, string>>;
/** The target file's keys: every setting but the run's own switches. */
const fileKeys = new Set<string>(["url", "token", "protocols", "secondToken", "testingUrl", "testingToken", "only", "skip", "deviationsFile", "reportJson", "reportJunit", "concurrency"]);

function parseProtocols(value: unknown, where: string): Protocol[] {
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : undefined;
  if (list === undefined) throw new UsageError(`${where}: expected a comma-separated list or an array of protocols`);
  const result: Protocol[] = [];
  for (const item of list) {
    const name = String(item).trim();
    if (!allProtocols.includes(name as Protocol)) throw new UsageError(`${where}: unknown protocol "${name}" (one of ${allProtocols.join(", ")})`);
    if (!result.includes(name as Protocol)) result.push(name as Protocol);
  }
  if (result.length === 0) throw new UsageError(`${where}: names no protocol`);
  // In the kit's order, whatever order they were given in.
  return allProtocols.filter((p) => result.includes(p));
}

function parseUrl(value: unknown, where: string): string {
  if (typeof value !== "string") throw new UsageError(`${where}: expected a URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${where}: "${value}" is not a URL (http://host:port)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${where}: "${value}" must be http:// or https://`);
  return value.replace(/\/+$/, "");
}

function parseConcurrency(value: unknown, where: string): number {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`${where}: expected a whole number from 1 to 64, got ${JSON.stringify(value)}`);
  return n;
}

function nonEmptyString(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError(`${where}: expected a non-empty string`);
  return value;
}

interface Raw {
  [key: string]: unknown;
}

function readTarget(file: string, readFile: (file: string) => string): Raw {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    throw new UsageError(`--target: cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--target: ${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError(`--target: ${file} must hold a JSON object`);
  for (const key of Object.keys(parsed)) {
    if (!fileKeys.has(key)) throw new UsageError(`--target: ${file}: unknown key "${key}" (known: ${[...fileKeys].join(", ")})`);
  }
  return parsed as Raw;
}

/** Parses argv (without node and the script); throws `UsageError` naming the flag. */
export function parseOptions(argv: readonly string[], readFile: (file: string) => string = (f) => readFileSync(f, "utf8")): KitOptions {
  const flags: Raw = {};
  let target: Raw = {};
  let list = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (arg === "--list") {
      list = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    if (flag !== "--target" && !(flag in valueFlags)) throw new UsageError(`${flag}: unknown flag (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`${flag}: needs a value`);
    if (flag === "--target") {
      target = readTarget(value, readFile);
      continue;
    }
    const key = valueFlags[flag]!;
    if (key === "only" || key === "skip") flags[key] = [...((flags[key] as string[] | undefined) ?? []), value];
    else flags[key] = value;
  }
  const options: KitOptions = { url: "", token: "", protocols: [...allProtocols], only: [], skip: [], concurrency: 4, list, help };
  if (help) return options;
  const from = (key: Key): { value: unknown; where: string } | undefined =>
    key in flags ? { value: flags[key], where: flagOf[key]! } : key in target ? { value: target[key], where: `--target: "${key}"` } : undefined;

  const url = from("url");
  const token = from("token");
  if (!list) {
    if (url === undefined) throw new UsageError("--url: required (the target, e.g. http://127.0.0.1:8080)");
    if (token === undefined) throw new UsageError("--token: required (a bearer token of a user of the target)");
  }
  if (url) options.url = parseUrl(url.value, url.where);
  if (token) options.token = nonEmptyString(token.value, token.where);
  const protocolsSetting = from("protocols");
  if (protocolsSetting) options.protocols = parseProtocols(protocolsSetting.value, protocolsSetting.where);
  for (const key of ["secondToken", "testingToken"] as const) {
    const setting = from(key);
    if (setting) options[key] = nonEmptyString(setting.value, setting.where);
  }
  const testingUrl = from("testingUrl");
  if (testingUrl) options.testingUrl = parseUrl(testingUrl.value, testingUrl.where);
  for (const key of ["deviationsFile", "reportJson", "reportJunit"] as const) {
    const setting = from(key);
    if (setting) options[key] = nonEmptyString(setting.value, setting.where);
  }
  for (const key of ["only", "skip"] as const) {
    // The file's list and the flags' add up.
    const fileValue = target[key];
    if (fileValue !== undefined && (!Array.isArray(fileValue) || !fileValue.every((v) => typeof v === "string" && v !== ""))) {
      throw new UsageError(`--target: "${key}" must be an array of non-empty strings`);
    }
    options[key] = [...((fileValue as string[] | undefined) ?? []), ...((flags[key] as string[] | undefined) ?? [])];
  }
  const concurrency = from("concurrency");
  if (concurrency) options.concurrency = parseConcurrency(concurrency.value, concurrency.where);
  if (options.secondToken !== undefined && options.secondToken === options.token) {
    throw new UsageError("--second-token: must be another organization's user, not the --token itself");
  }
  return options;
}
