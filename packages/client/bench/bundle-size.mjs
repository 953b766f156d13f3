// What the client costs a web app: bundles the browser entry (the package's `browser` export,
// dist/web.js) as a web app's bundler would — esbuild, platform browser, ESM, minified, tree-shaken
// — and prints the bytes, minified and minified + gzip (level 9), next to a bare connect-web
// client of one generated service for comparison.
//
//   npx -y pnpm@10.34.9 --filter @gitpod-connect/client build   # dist/ first
//   node bench/bundle-size.mjs                                    # from packages/client
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const webEntry = fileURLToPath(new URL("../dist/web.js", import.meta.url));

const bare = `
import { createConnectTransport } from "@connectrpc/connect-web";
import { createClient } from "@connectrpc/connect";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
export const environments = createClient(EnvironmentService, createConnectTransport({ baseUrl: "https://app.gitpod.io/api" }));
`;

const cases = [
  { name: "GitpodClient", source: `export { GitpodClient } from "@gitpod-connect/client";` },
  { name: "bare connect-web + EnvironmentService", source: bare },
  { name: "GitpodClient + the bare client", source: `export { GitpodClient } from "@gitpod-connect/client";\n${bare}` },
];

/** The bundle of `source` (an app's entry module), minified, and where its bytes come from. */
async function bundle(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: packageDir, sourcefile: "app.js", loader: "js" },
    absWorkingDir: packageDir,
    bundle: true,
    platform: "browser",
    format: "esm",
    conditions: ["browser"],
    target: "es2022",
    minify: true,
    treeShaking: true,
    legalComments: "none",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs)[0];
  return { code: result.outputFiles[0].contents, inputs: output?.inputs ?? {} };
}

/** The package an input file belongs to: "@connectrpc/connect", "@gitpod-connect/schema", ... */
function packageOf(path) {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path);
  if (inModules) return inModules[1];
  if (path.startsWith("../../gen/")) return "@gitpod-connect/schema";
  if (path.startsWith("dist/")) return "@gitpod-connect/client";
  return path;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

if (!existsSync(webEntry)) {
  console.error(`${webEntry} is missing: build the client first (npx -y pnpm@10.34.9 --filter @gitpod-connect/client build)`);
  process.exit(1);
}

const rows = [];
let breakdown;
for (const c of cases) {
  const { code, inputs } = await bundle(c.source);
  const gzip = gzipSync(code, { level: 9 }).length;
  rows.push([c.name, String(code.length), kb(code.length), String(gzip), kb(gzip)]);
  breakdown ??= inputs;
}

const header = ["bundle (esbuild, browser, esm, minified)", "minified B", "KiB", "min+gzip B", "KiB"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of rows) console.log(line(row));

// Where the GitpodClient bundle's bytes come from (minified, before gzip), by package.
const byPackage = new Map();
for (const [path, { bytesInOutput }] of Object.entries(breakdown)) {
  const name = packageOf(path);
  byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
}
console.log(`\n${cases[0].name}, minified bytes by package:`);
for (const [name, bytes] of [...byPackage].filter(([, b]) => b > 0).sort((a, b) => b[1] - a[1])) {
  console.log(`  ${name.padEnd(widths[0] - 2)}  ${String(bytes).padStart(widths[1])}  ${kb(bytes).padStart(widths[2])}`);
}
