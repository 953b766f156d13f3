// Python as an independent peer: Debian's python3 with its protobuf and grpcio packages, and our
// schema compiled for it by Debian's protoc and gRPC Python plugin (scripts/install-system-packages.sh
// installs them). The modules are generated once per test process into a temporary folder.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** Debian's interpreter: a python3 earlier on PATH (pyenv, a venv) may lack the Debian modules. */
export const python = "/usr/bin/python3";
const protoc = "/usr/bin/protoc";
const grpcPlugin = "/usr/bin/grpc_python_plugin";
/** Where Debian's protobuf-compiler puts the well-known types (google/protobuf/*.proto). */
const wellKnownIncludes = "/usr/include";

/** What is missing for the Python peer, or undefined when all is there. */
export function pythonPeerMissing(): string | undefined {
  for (const [path, pkg] of [
    [python, "python3"],
    [protoc, "protobuf-compiler"],
    [grpcPlugin, "protobuf-compiler-grpc"],
  ] as const) {
    if (!existsSync(path)) return `${path} (Debian package ${pkg}; run scripts/install-system-packages.sh)`;
  }
  try {
    execFileSync(python, ["-c", "import google.protobuf, grpc"], { stdio: "pipe" });
  } catch {
    return "python3-protobuf and python3-grpcio (run scripts/install-system-packages.sh)";
  }
  return undefined;
}

let generated: { dir: string; cleanup: () => void } | undefined;

/**
 * Our protos (proto/gitpod/v1) and the derived buf/validate/validate.proto compiled with
 * `protoc --python_out --grpc_python_out`; returns the folder to put on PYTHONPATH.
 */
export function pythonSchemaDir(): string {
  if (generated) return generated.dir;
  const missing = pythonPeerMissing();
  if (missing) throw new Error(`the Python peer needs ${missing}`);
  const validateDir = join(repoRoot, ".buf-deps", "protovalidate");
  if (!existsSync(join(validateDir, "buf", "validate", "validate.proto"))) {
    throw new Error(`${validateDir} is missing: run \`npx -y pnpm@10.34.9 generate\` first`);
  }
  const dir = mkdtempSync(join(tmpdir(), "gitpod-python-schema-"));
  const protos = readdirSync(join(repoRoot, "proto", "gitpod", "v1"))
    .filter((f) => f.endsWith(".proto"))
    .map((f) => join("proto", "gitpod", "v1", f));
  execFileSync(
    protoc,
    [
      `-I${join(repoRoot, "proto")}`,
      `-I${validateDir}`,
      `-I${wellKnownIncludes}`,
      `--python_out=${dir}`,
      `--grpc_python_out=${dir}`,
      `--plugin=protoc-gen-grpc_python=${grpcPlugin}`,
      ...protos.map((p) => join(repoRoot, p)),
      join(validateDir, "buf", "validate", "validate.proto"),
    ],
    { stdio: "pipe" },
  );
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", cleanup);
  generated = { dir, cleanup };
  return dir;
}

export interface PythonResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a Python script of packages/interop/python/ with the compiled schema on its path. */
export function runPython(script: string, args: readonly string[] = [], input?: string, timeoutMs = 60_000): Promise<PythonResult> {
  const schemaDir = pythonSchemaDir();
  const file = fileURLToPath(new URL(`../../python/${script}`, import.meta.url));
  return new Promise((resolve) => {
    const child = execFile(
      python,
      [file, ...args],
      { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", PYTHONPATH: schemaDir, PYTHONDONTWRITEBYTECODE: "1" }, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
