// Locations shared by the repository's scripts.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The root node_modules/.bin: buf and protoc-gen-es are pinned once, at the root. */
export const binDir = join(repoRoot, "node_modules", ".bin");
