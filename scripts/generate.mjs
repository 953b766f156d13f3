#!/usr/bin/env node
// `pnpm generate`: everything buf produces, in order.
// 1. derive buf/validate/validate.proto from @bufbuild/protovalidate (the BSR is unreachable);
// 2. `buf generate` (buf.gen.yaml) writes protoc-gen-es output into gen/es/ (clean: true);
// 3. write gen/index.ts, the package's entry point re-exporting every generated file;
// 4. copy the gRPC server reflection protos (v1, v1alpha) out of the pinned @grpc/reflection
//    into .buf-deps/grpc-reflection/ and generate them into packages/server/src/gen/ (the
//    server's reflection service; not part of the Gitpod schema, so not in gen/).
//
// `--check` generates into temporary folders instead and fails (exit 1, naming the files)
// when the committed gen/ or packages/server/src/gen/ differs from what the protos produce: the
// drift check.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { binDir, repoRoot } from "./paths.mjs";

const check = process.argv.includes("--check");
const genDir = join(repoRoot, "gen");

function deriveProtovalidate() {
  execFileSync(process.execPath, [join(repoRoot, "scripts", "derive-protovalidate.mjs")], { stdio: "ignore" });
}

/** Runs buf generate with buf.gen.yaml, optionally redirecting its single output folder. */
function bufGenerate(outDir) {
  const args = ["generate"];
  if (outDir) {
    const template = readFileSync(join(repoRoot, "buf.gen.yaml"), "utf8").replace(/^(\s*out:\s*).*$/m, `$1${outDir}`);
    args.push("--template", template);
  }
  runBuf(args);
}

function runBuf(args) {
  execFileSync(join(binDir, "buf"), args, {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, PATH: `${binDir}:${process.env.PATH}` },
  });
}

// gRPC server reflection. Its protos are not ours: they come from the registry package
// @grpc/reflection (a root devDependency, pinned), copied unchanged but for a provenance line.
// The copy gets a buf.yaml of its own, a workspace apart from ours: the root buf.yaml does not
// list it, so `buf lint`, `buf format` and `buf breaking` never see these files.
const reflectionDeps = join(repoRoot, ".buf-deps", "grpc-reflection");
const reflectionGenDir = join(repoRoot, "packages", "server", "src", "gen");
const reflectionVersions = ["v1", "v1alpha"];

function deriveReflection() {
  const pkgJson = createRequire(import.meta.url).resolve("@grpc/reflection/package.json");
  const { version } = JSON.parse(readFileSync(pkgJson, "utf8"));
  // Written only when different: a concurrent --check (the schema tests) never sees a file missing.
  const write = (file, text) => {
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file) || readFileSync(file, "utf8") !== text) writeFileSync(file, text);
  };
  for (const v of reflectionVersions) {
    const from = `build/proto/grpc/reflection/${v}/reflection.proto`;
    const provenance = `// Copied from @grpc/reflection ${version} (${from}) by scripts/generate.mjs. Do not edit.\n\n`;
    write(join(reflectionDeps, "grpc", "reflection", v, "reflection.proto"), provenance + readFileSync(join(dirname(pkgJson), from), "utf8"));
  }
  write(join(reflectionDeps, "buf.yaml"), "# Written by scripts/generate.mjs: the reflection protos, a buf workspace apart from ours.\nversion: v2\n");
}

/** Generates the reflection protos with the local protoc-gen-es into `outDir` (emptied first). */
function bufGenerateReflection(outDir) {
  const template = {
    version: "v2",
    clean: true,
    plugins: [{ local: "protoc-gen-es", out: outDir, opt: ["target=ts", "import_extension=js"] }],
  };
  runBuf(["generate", reflectionDeps, "--template", JSON.stringify(template)]);
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Top-level names a generated file exports, each marked as a value (const/enum) or a type. */
function exportedNames(source) {
  return [...source.matchAll(/^export (const|enum|type) (\w+)/gm)].map(([, kind, name]) => ({ name, isValue: kind !== "type" }));
}

// protobuf-es names a message's descriptor `<Message>Schema`, so a message named
// `RunnerConfigurationSchema` (runner_configuration.proto) and the descriptor of `RunnerConfiguration`
// (runner.proto) share a name. `export *` would make it ambiguous (dropped at run time, an error in
// TypeScript); the index exports the value explicitly, and the per-file entry point keeps the type.
function indexSource(esDir) {
  const files = listFiles(esDir).filter((f) => f.endsWith("_pb.ts"));
  const owners = new Map();
  for (const f of files) {
    for (const { name, isValue } of exportedNames(readFileSync(join(esDir, f), "utf8"))) {
      owners.set(name, [...(owners.get(name) ?? []), { file: f, isValue }]);
    }
  }
  const lines = [
    "// @generated by scripts/generate.mjs: one re-export per generated file. Do not edit.",
    ...files.map((f) => `export * from "./es/${f.replace(/\.ts$/, ".js")}";`),
  ];
  for (const [name, list] of [...owners].filter(([, l]) => l.length > 1).sort(([a], [b]) => a.localeCompare(b))) {
    const value = list.find((o) => o.isValue) ?? list[0];
    const others = list.filter((o) => o !== value).map((o) => `"@gitpod-connect/schema/${o.file.replace(/_pb\.ts$/, "")}"`);
    lines.push(`// ${name} is exported by several files; the type of the same name comes from ${others.join(", ")}.`);
    lines.push(`export { ${name} } from "./es/${value.file.replace(/\.ts$/, ".js")}";`);
  }
  return lines.join("\n") + "\n";
}

/** Differences between a committed folder and a fresh one, each `<label>/<file>: why`. */
function folderDrift(label, committedDir, freshDir) {
  const drift = [];
  const committed = listFiles(committedDir);
  const fresh = listFiles(freshDir);
  for (const f of new Set([...committed, ...fresh])) {
    const a = committed.includes(f) ? readFileSync(join(committedDir, f), "utf8") : undefined;
    const b = fresh.includes(f) ? readFileSync(join(freshDir, f), "utf8") : undefined;
    if (a !== b) drift.push(`${label}/${f}: ${a === undefined ? "missing" : b === undefined ? "stale (no proto makes it)" : "differs"}`);
  }
  return { drift, count: fresh.length };
}

deriveProtovalidate();
deriveReflection();
if (!check) {
  bufGenerate();
  writeFileSync(join(genDir, "index.ts"), indexSource(join(genDir, "es")));
  console.log(`generated ${listFiles(join(genDir, "es")).length} files into gen/es, and gen/index.ts`);
  bufGenerateReflection(reflectionGenDir);
  console.log(`generated ${listFiles(reflectionGenDir).length} reflection files into packages/server/src/gen`);
} else {
  const tmp = mkdtempSync(join(tmpdir(), "gen-check-"));
  try {
    const freshEs = join(tmp, "es");
    bufGenerate(freshEs);
    const schema = folderDrift("gen/es", join(genDir, "es"), freshEs);
    const drift = schema.drift;
    const index = existsSync(join(genDir, "index.ts")) ? readFileSync(join(genDir, "index.ts"), "utf8") : "";
    if (index !== indexSource(freshEs)) drift.push("gen/index.ts: differs");
    const freshReflection = join(tmp, "reflection");
    bufGenerateReflection(freshReflection);
    const reflection = folderDrift("packages/server/src/gen", reflectionGenDir, freshReflection);
    drift.push(...reflection.drift);
    if (drift.length > 0) {
      console.error(`generated code drifts from the protos (run pnpm generate and commit):\n${drift.join("\n")}`);
      process.exitCode = 1;
    } else {
      console.log(`gen/ matches proto/ (${schema.count} files), packages/server/src/gen matches @grpc/reflection (${reflection.count} files)`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
