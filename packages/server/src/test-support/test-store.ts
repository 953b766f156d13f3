// Which store the service tests run on: GITPOD_TEST_STORE=memory (the default), pglite or
// postgres. The server's test script runs the service suite once per store (scripts/test-stores.mjs).
// PGlite takes seconds to open, so a test process shares one and gives every server a schema of
// its own; PostgreSQL is one cluster for the whole run (global-stores.ts), a schema per server.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { inject } from "vitest";
import { openPglite } from "../store/sql/pglite-client.js";
import { openPostgres } from "../store/sql/pg-client.js";
import type { SqlClient } from "../store/sql/sql-client.js";
import { createSqlStore } from "../store/sql/sql-store.js";
import { quoteIdent } from "../store/sql/migrations.js";
import type { Store } from "../store/store.js";

export type TestStoreKind = "memory" | "pglite" | "postgres";

export function testStoreKind(): TestStoreKind {
  const kind = process.env.GITPOD_TEST_STORE ?? "memory";
  if (kind !== "memory" && kind !== "pglite" && kind !== "postgres") throw new Error(`GITPOD_TEST_STORE: memory, pglite or postgres, not ${JSON.stringify(kind)}`);
  return kind;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The URL of the run's PostgreSQL, when GITPOD_TEST_STORE=postgres (global-stores.ts). */
    testDatabaseUrl: string;
    /** A dump of an initialised PGlite to load, when GITPOD_TEST_STORE=pglite (global-stores.ts). */
    testPgliteTemplate: string;
  }
}

let sharedPglite: Promise<SqlClient> | undefined;

/** A fresh, empty SQL store of the kind the run asks for (each in a schema of its own); undefined for memory. */
export async function openTestStore(): Promise<{ store: Store; close(): Promise<void> } | undefined> {
  const kind = testStoreKind();
  if (kind === "memory") return undefined;
  const schema = `test_${randomUUID().replaceAll("-", "")}`;
  if (kind === "pglite") {
    const template = inject("testPgliteTemplate");
    sharedPglite ??= openPglite(undefined, template ? { template: new Blob([readFileSync(template)]) } : {});
    const client = await sharedPglite;
    // The shared client stays open for the other servers of this process.
    const store = createSqlStore({ client: { ...client, close: () => Promise.resolve() }, schema });
    await store.ready;
    return { store, close: () => dropAfter(store, client, schema) };
  }
  const url = inject("testDatabaseUrl");
  if (!url) throw new Error("GITPOD_TEST_STORE=postgres but no database: run vitest with src/test-support/global-stores.ts as globalSetup");
  const client = await openPostgres(url, { maxConnections: 4 });
  const store = createSqlStore({ client, schema, pollIntervalMs: 200 });
  await store.ready;
  return { store, close: () => dropAfter(store, client, schema) };
}

/** Closes the store and removes its schema, so that a long run does not pile them up (a pool must still be open to drop). */
async function dropAfter(store: { close(): Promise<void> }, client: SqlClient, schema: string): Promise<void> {
  const drop = () => client.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`).then(() => undefined);
  if (client.kind === "postgres") {
    await drop();
    await store.close();
  } else {
    await store.close();
    await drop();
  }
}
