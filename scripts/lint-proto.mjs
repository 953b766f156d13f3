#!/usr/bin/env node
// Schema lint: `buf lint` (STANDARD) and `buf format -d` must both be clean.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { binDir, repoRoot } from "./paths.mjs";

const buf = join(binDir, "buf");
execFileSync(process.execPath, [join(repoRoot, "scripts", "derive-protovalidate.mjs")], { stdio: "inherit" });
execFileSync(buf, ["lint"], { cwd: repoRoot, stdio: "inherit" });
execFileSync(buf, ["format", "-d", "--exit-code", "proto"], { cwd: repoRoot, stdio: "inherit" });
console.log("buf lint and buf format: clean");
