#!/usr/bin/env node
// The `gitpod-conformance` command. It is committed, so installing the workspace can link it
// before anything is built; it runs the compiled CLI, dist/cli.js, which `pnpm build` writes.
try {
  await import("../dist/cli.js");
} catch (e) {
  const missing = e?.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/cli.js");
  if (!missing) throw e;
  console.error("gitpod-conformance: dist/cli.js is not built yet; run `npx -y pnpm@10.34.9 --filter @gitpod-connect/conformance build` first");
  process.exit(1);
}
