// The three stores, chosen by configuration: in memory (tests, and `--memory`), PGlite in a data
// directory (the CLI's default: state survives a restart with nothing to install), or PostgreSQL
// at a URL (teams, and several replicas on one database).
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { createMemoryStore } from "./memory-store.js";
import { openPglite } from "./sql/pglite-client.js";
import { openPostgres, redactedUrl } from "./sql/pg-client.js";
import { createSqlStore } from "./sql/sql-store.js";
import type { Store } from "./store.js";

export type StoreConfig = { kind: "memory" } | { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };

export interface OpenedStore {
  store: Store;
  /** What the server prints: which store, where. */
  description: string;
  /** Closes the database (nothing for memory). */
  close(): Promise<void>;
}

/** Opens the store and brings its schema up to date; rejects, saying why, when it cannot. */
export async function openStore(config: StoreConfig): Promise<OpenedStore> {
  switch (config.kind) {
    case "memory":
      return { store: createMemoryStore(), description: "in memory (state ends with the process)", close: () => Promise.resolve() };
    case "pglite": {
      const dataDir = resolve(config.dataDir);
      return opening(`PGlite in ${dataDir}`, async () => {
        mkdirSync(dataDir, { recursive: true });
        return sqlStore(await openPglite(dataDir));
      });
    }
    case "postgres":
      return opening(`PostgreSQL at ${redactedUrl(config.url)}`, async () => sqlStore(await openPostgres(config.url)));
  }
}

/** Runs `open`, saying in its error which store could not be opened (never a password). */
async function opening(description: string, open: () => Promise<OpenedStore>): Promise<OpenedStore> {
  try {
    return await open();
  } catch (e) {
    throw new Error(`cannot open the store, ${description}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

async function sqlStore(client: Awaited<ReturnType<typeof openPglite>>): Promise<OpenedStore> {
  const store = createSqlStore({ client });
  try {
    await store.ready;
  } catch (e) {
    await client.close().catch(() => undefined);
    throw e;
  }
  return { store, description: client.description, close: () => store.close() };
}
