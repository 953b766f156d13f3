// The second step of `pnpm build` (after tsc): dist/cli.js, the command, becomes one file with
// everything it imports — our modules, connect, protobuf-es, protovalidate and CEL, the schema.
//
// Why: the unbundled CLI loads ~480 ES modules before it can answer a call, and Node 20 spends
// most of its start-up resolving, reading and compiling them one by one (profile of issue 14:
// module loading ~60 % of the ~560 ms to the first answered call, our own code a few ms). One
// file cuts the spawn-to-first-answer time to less than half. Only the command is bundled:
// dist/index.js and the rest of dist stay tsc's output, so an embedding process shares its
// copies of connect and protobuf-es with the server, as before.
//
// Left out (loaded on demand, from node_modules, only when a SQL store opens): PGlite, which also
// reads its WebAssembly next to its own module, and pg. Identifiers are kept (no mangling), so
// error names and stack frames stay readable; dist/cli.js.map maps them to src/ with
// `node --enable-source-maps`.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

await build({
  entryPoints: [cli],
  outfile: cli,
  allowOverwrite: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["@electric-sql/pglite", "pg"],
  // Whitespace and syntax only: a smaller file compiles faster; names stay as written.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  logLevel: "warning",
});
