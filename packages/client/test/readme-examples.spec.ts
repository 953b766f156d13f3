// The README's examples are code that works: every ```ts block is type-checked against the
// client's sources and then run against the reference server (GITPOD_API_KEY and
// GITPOD_BASE_URL point there), and must print what it promises.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { apiToken, startClientTestServer, type ClientTestServer } from "./support/test-server.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const workDir = `${packageDir}test/.readme-examples/`;
const nodeEntry = `${packageDir}src/node.ts`;

/** The ```ts blocks of the README, with the heading they stand under. */
function examples(): { heading: string; code: string }[] {
  const found: { heading: string; code: string }[] = [];
  let heading = "";
  const lines = readFileSync(`${packageDir}README.md`, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
    if (line.trim() !== "```ts") continue;
    const code: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== "```"; i++) code.push(lines[i]!);
    found.push({ heading, code: code.join("\n") + "\n" });
  }
  return found;
}

const blocks = examples();
let server: ClientTestServer;
const savedEnv = { key: process.env["GITPOD_API_KEY"], url: process.env["GITPOD_BASE_URL"] };

beforeAll(async () => {
  server = await startClientTestServer();
  process.env["GITPOD_API_KEY"] = apiToken;
  process.env["GITPOD_BASE_URL"] = server.url;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
});
afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  for (const [name, value] of [["GITPOD_API_KEY", savedEnv.key], ["GITPOD_BASE_URL", savedEnv.url]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await server.close();
});

describe("README examples", () => {
  it("has an example for the quick start and each level", () => {
    const headings = blocks.map((b) => b.heading);
    for (const h of ["Quick start", "Level 1: resource groups", "Level 2: any RPC by name", "Level 3: raw requests"]) expect(headings).toContain(h);
  });

  it("type-check, strictly, against the client's sources", () => {
    const files = blocks.map((block, n) => {
      const file = `${workDir}example-${n}.ts`;
      writeFileSync(file, block.code);
      return file;
    });
    const config = ts.getParsedCommandLineOfConfigFile(`${packageDir}tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram(files, { ...config.options, noEmit: true, paths: { "@gitpod-connect/client": [nodeEntry] } });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName.replace(workDir, "")}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(diagnostics).toEqual([]);
  });

  blocks.forEach((block, n) => {
    it(`run: example ${n + 1} (${block.heading}) completes and prints`, async () => {
      const file = `${workDir}example-${n}.run.ts`;
      writeFileSync(file, block.code.replaceAll('from "@gitpod-connect/client"', `from ${JSON.stringify(nodeEntry)}`));
      const printed: unknown[][] = [];
      const spies = (["log", "warn", "error"] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void printed.push(args)));
      try {
        await import(pathToFileURL(file).href);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      expect(printed.length).toBeGreaterThan(0);
    });
  });
});
