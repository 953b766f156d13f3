// `buf curl` (the pinned @bufbuild/buf CLI, a Go program built on connect-go) as a peer: no
// reflection, the schema given with --schema (our buf workspace, or an image built from it), the
// request as JSON with -d, the answer printed as JSON on stdout; a failed RPC exits with its gRPC
// code shifted left by three bits and prints the Connect error JSON on stderr.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, requireProtovalidate } from "./peer-server.js";

/** The CLI of the root devDependency @bufbuild/buf 1.75.0. */
export const bufPath = join(repoRoot, "node_modules", ".bin", "buf");
export const bufVersion = "1.75.0";

export type BufProtocol = "connect" | "grpc" | "grpcweb";

/** Throws, with what to do, unless the pinned buf CLI and the derived protovalidate module are there. */
export function requireBuf(): void {
  if (!existsSync(bufPath)) throw new Error(`the buf CLI is missing at ${bufPath}: run \`npx -y pnpm@10.34.9 install\` (root devDependency @bufbuild/buf ${bufVersion})`);
  let version: string;
  try {
    version = execFileSync(bufPath, ["--version"], { encoding: "utf8", stdio: "pipe" }).trim();
  } catch (e) {
    throw new Error(`${bufPath} --version failed: ${(e as Error).message}`, { cause: e });
  }
  if (version !== bufVersion) throw new Error(`${bufPath} is buf ${version}, the peer is pinned to ${bufVersion}`);
  requireProtovalidate();
}

/** `buf build -o <file>`: our workspace (both modules of buf.yaml) as one image. */
export function buildImage(file: string): void {
  execFileSync(bufPath, ["build", "-o", file], { cwd: repoRoot, stdio: "pipe" });
}

export interface BufCall {
  /** e.g. "http://127.0.0.1:41234" */
  baseUrl: string;
  /** "gitpod.v1.RunnerService/CreateRunner", optionally with a path prefix ("api/gitpod.v1…"). */
  procedure: string;
  protocol: BufProtocol;
  /** The --schema value: a buf workspace directory or an image file. */
  schema: string;
  token?: string;
  /** The request, as JSON (what -d takes); undefined sends an empty request. */
  data?: unknown;
  /** Extra flags, e.g. ["--emit-defaults"]. */
  flags?: readonly string[];
}

/** How one buf curl run ended. */
export interface BufResult {
  /** buf's exit code: 0, or the gRPC code << 3 for a failed RPC (< 8: buf itself failed). */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The gRPC code of a failed RPC from buf's exit code (undefined when buf itself failed, or on success). */
export function grpcCodeOf(result: BufResult): number | undefined {
  return result.exitCode >= 8 ? result.exitCode >> 3 : undefined;
}

export interface ConnectErrorJson {
  code: string;
  message: string;
  details?: { type: string; value: string; debug?: unknown }[];
}

function args(call: BufCall): string[] {
  return [
    "curl",
    "--schema",
    call.schema,
    "--protocol",
    call.protocol,
    // gRPC needs HTTP/2; over http:// that is h2c with prior knowledge (buf would imply it for grpc).
    ...(call.protocol === "grpc" ? ["--http2-prior-knowledge"] : []),
    ...(call.token !== undefined ? ["-H", `Authorization: Bearer ${call.token}`] : []),
    ...(call.data !== undefined ? ["-d", JSON.stringify(call.data)] : []),
    ...(call.flags ?? []),
    `${call.baseUrl}/${call.procedure}`,
  ];
}

/** Runs one unary buf curl call. */
export function bufCurl(call: BufCall): Promise<BufResult> {
  return new Promise((resolve) => {
    execFile(bufPath, args(call), { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** Runs a unary call that must succeed; returns the printed response message. */
export async function bufOk<T = Record<string, unknown>>(call: BufCall): Promise<T> {
  const result = await bufCurl(call);
  if (result.exitCode !== 0) throw new Error(`buf curl ${call.procedure} over ${call.protocol} exited ${result.exitCode}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Runs a unary call that must fail; returns buf's exit code, the gRPC code and the printed Connect error. */
export async function bufError(call: BufCall): Promise<{ exitCode: number; grpcCode: number | undefined; error: ConnectErrorJson }> {
  const result = await bufCurl(call);
  if (result.exitCode === 0) throw new Error(`buf curl ${call.procedure} over ${call.protocol} succeeded: ${result.stdout}`);
  let error: ConnectErrorJson;
  try {
    error = JSON.parse(result.stderr) as ConnectErrorJson;
  } catch (e) {
    throw new Error(`buf curl exited ${result.exitCode} without a Connect error on stderr: ${result.stderr}`, { cause: e });
  }
  return { exitCode: result.exitCode, grpcCode: grpcCodeOf(result), error };
}

/**
 * Splits buf's output of a stream — one pretty-printed JSON value per message, one after the
 * other — into the complete values so far, and the rest.
 */
export function splitJsonValues(text: string): { values: unknown[]; rest: string } {
  const values: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let consumed = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) {
        values.push(JSON.parse(text.slice(start, i + 1)));
        consumed = i + 1;
      }
    }
  }
  return { values, rest: text.slice(consumed) };
}

/** A server stream read by `buf curl -v`: its messages as they arrive, and whether its head came. */
export interface BufStream {
  /** Resolves once buf printed the response head (-v: "< (#1) HTTP/…"): the subscription exists. */
  readonly head: Promise<void>;
  /** Resolves with the messages once `count` of them arrived (rejects if the stream ends first). */
  messages(count: number, timeoutMs?: number): Promise<unknown[]>;
  /**
   * Ends the call with SIGTERM (buf cancels the RPC and prints a canceled error); resolves with
   * what buf printed once it exited. The signal goes to the process group of the call: the npm
   * package's `buf` is a Node wrapper that runs the native binary with spawnSync and does not pass
   * signals on, so killing the wrapper alone would leave the native buf running (and the call open).
   */
  cancel(): Promise<BufResult & { signal: NodeJS.Signals | null }>;
}

/** Starts a server-streaming call (`buf curl -v`, so that the response head shows on stderr). */
export function bufStream(call: BufCall): BufStream {
  // detached: a process group of its own (the wrapper and the native buf), which cancel() signals.
  const child: ChildProcess = spawn(bufPath, [...args(call), "-v"], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  let stderr = "";
  let pending = "";
  const received: unknown[] = [];
  const waiters = new Set<() => void>();
  let exited: (BufResult & { signal: NodeJS.Signals | null }) | undefined;
  const exit = new Promise<BufResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => {
      exited = { exitCode: code ?? -1, signal, stdout, stderr };
      resolve(exited);
      for (const w of waiters) w();
    });
  });
  let headSeen = () => {};
  const head = new Promise<void>((resolve, reject) => {
    headSeen = resolve;
    void exit.then((r) => reject(new Error(`buf curl ended before the response head: exit ${r.exitCode}, ${r.stderr}`)));
  });
  head.catch(() => {});
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const { values, rest } = splitJsonValues(pending);
    pending = rest;
    received.push(...values);
    for (const w of waiters) w();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    if (/^buf: < \(#1\) HTTP\/\S+ 200/m.test(stderr)) headSeen();
  });
  return {
    head,
    messages(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${received.length} of ${count} stream messages after ${timeoutMs} ms: ${stdout}`));
        }, timeoutMs);
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(received.slice(0, count));
          } else if (exited) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`the stream ended after ${received.length} of ${count} messages: exit ${exited.exitCode}, ${exited.stderr}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    cancel() {
      if (!exited && child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // Already gone.
        }
      }
      return exit;
    },
  };
}
