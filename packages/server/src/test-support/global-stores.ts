// vitest globalSetup for a run of the service suite on a SQL store (GITPOD_TEST_STORE, see
// test-store.ts): for postgres, one PostgreSQL cluster for the whole run; for pglite, a dump of an
// initialised database that every test process loads instead of initialising its own (seconds
// each). Nothing for the memory store.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { pgliteTemplate } from "../store/sql/pglite-client.js";
import { postgresMissing, startPostgres } from "./postgres.js";

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  switch (process.env.GITPOD_TEST_STORE) {
    case "postgres": {
      const missing = postgresMissing();
      if (missing) throw new Error(`GITPOD_TEST_STORE=postgres: ${missing}`);
      const pg = await startPostgres({ database: "gitpod_tests" });
      project.provide("testDatabaseUrl", pg.url);
      return () => pg.stop();
    }
    case "pglite": {
      const dir = mkdtempSync(join(tmpdir(), "pglite-template-"));
      const file = join(dir, "template.tar");
      writeFileSync(file, new Uint8Array(await (await pgliteTemplate()).arrayBuffer()));
      project.provide("testPgliteTemplate", file);
      return () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
    }
    default:
      return undefined;
  }
}
