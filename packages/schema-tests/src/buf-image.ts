// Compiles proto/ with buf into a protobuf-es registry, without generating code: used by the
// facts CLI while a .proto file is being written, before `pnpm generate`.
import { execFileSync } from "node:child_process";
import { createFileRegistry, fromBinary, type FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { join } from "node:path";
import { binDir, repoRoot } from "./repo-paths.js";

/** Builds the given .proto paths (relative to the repository, or all of proto/ when empty). */
export function buildProtoRegistry(paths: string[] = []): FileRegistry {
  execFileSync(process.execPath, [join(repoRoot, "scripts", "derive-protovalidate.mjs")], { stdio: "ignore" });
  const args = ["build", ...paths.flatMap((p) => ["--path", p]), "-o", "-#format=binpb"];
  const image = execFileSync(join(binDir, "buf"), args, { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, new Uint8Array(image)));
}
