// The schema toolchain's own checks: generated code matches the protos, buf lint (STANDARD)
// finds nothing, and buf format shows no diff.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { binDir, repoRoot } from "../src/repo-paths.js";

function run(command: string, args: string[]): { status: number; output: string } {
  try {
    const output = execFileSync(command, args, { cwd: repoRoot, encoding: "utf8", stdio: "pipe" });
    return { status: 0, output };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { status: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

describe("schema hygiene", () => {
  // buf needs the derived buf/validate module to compile our annotations.
  beforeAll(() => {
    execFileSync(process.execPath, [join(repoRoot, "scripts", "derive-protovalidate.mjs")], { stdio: "ignore" });
  });

  it("gen/ is exactly what the protos generate (no drift)", () => {
    const result = run(process.execPath, [join(repoRoot, "scripts", "generate.mjs"), "--check"]);
    expect(result.output).toContain("gen/ matches proto/");
    expect(result.status).toBe(0);
  });

  // `pnpm test` regenerates gen/ before the tests run (turbo: generate → build → test), so the
  // check above alone cannot see a commit whose gen/ is stale. Git can: with the protos as
  // committed, gen/ must be as committed too. (Outside a git checkout there is nothing to compare.)
  it("gen/ as committed is what the committed protos generate", () => {
    const inGit = run("git", ["rev-parse", "--is-inside-work-tree"]).output.trim() === "true";
    if (!inGit) return;
    const protoChanges = run("git", ["status", "--porcelain", "--", "proto", "buf.yaml", "buf.gen.yaml"]).output;
    if (protoChanges !== "") return; // protos being edited: the previous test covers gen/
    expect(run("git", ["status", "--porcelain", "--", "gen"]).output).toBe("");
  });

  it("buf lint finds nothing", () => {
    const result = run(join(binDir, "buf"), ["lint"]);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });

  it("buf format -d shows no diff for proto/", () => {
    const result = run(join(binDir, "buf"), ["format", "-d", "--exit-code", "proto"]);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });
});
