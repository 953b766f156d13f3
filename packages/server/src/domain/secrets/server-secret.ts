// The server secret of a durable store: kept in the store itself when GITPOD_SERVER_SECRET is not
// set, so that values sealed with the server key (secret-box.ts) and page tokens stay valid across
// restarts and are the same on every replica of one database. Setting GITPOD_SERVER_SECRET keeps
// the secret out of the database.
import { createHmac } from "node:crypto";
import { StoreError, plainCollection, type Store } from "../../store/store.js";
import { adoptServerSecret, currentServerSecret } from "./secret-box.js";

const serverSecrets = plainCollection<{ secret: string }>("server_secrets", "server secret");
const secretId = "server-secret";

/** The server secret for this store: the stored one (adopted), or this process's (stored now); the environment's when set. */
export async function sharedServerSecret(store: Store): Promise<string> {
  if (process.env.GITPOD_SERVER_SECRET) return process.env.GITPOD_SERVER_SECRET;
  const stored = await store.collection(serverSecrets).get(secretId);
  if (stored) {
    adoptServerSecret(stored.value.secret);
    return stored.value.secret;
  }
  const secret = currentServerSecret();
  try {
    await store.collection(serverSecrets).insert({ id: secretId, organizationId: "", value: { secret } });
    return secret;
  } catch (e) {
    // Another replica stored one first: use that.
    if (!(e instanceof StoreError) || e.reason !== "already_exists") throw e;
    return sharedServerSecret(store);
  }
}

/** A key for one purpose (e.g. "page-tokens") derived from the server secret. */
export function derivedKey(secret: string, purpose: string): Uint8Array {
  return new Uint8Array(createHmac("sha256", secret).update(`gitpod-connect/${purpose}`).digest());
}
