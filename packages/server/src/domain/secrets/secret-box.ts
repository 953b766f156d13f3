// Encryption of secrets the server keeps (host token values, refresh tokens, and OAuth client
// secrets of runners without a public key): AES-256-GCM with a server key.
//
// The key is derived (scrypt) from the server secret: GITPOD_SERVER_SECRET when that is set, else
// one generated per process. A durable store keeps the generated one (server-secret.ts), and a
// process that opens such a store adopts the stored one, so sealed values stay readable across
// restarts and replicas.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";

/** First byte of a value sealed with the server key. */
export const serverSealTag = 0x01;
const ivLength = 12;
const authTagLength = 16;

let secret: { value: string; fixed: boolean } | undefined;
let cachedKey: Buffer | undefined;

/** The secret the server key is derived from; `fixed` once it came from the environment or was adopted or handed out. */
function serverSecret(): { value: string; fixed: boolean } {
  secret ??= process.env.GITPOD_SERVER_SECRET
    ? { value: process.env.GITPOD_SERVER_SECRET, fixed: true }
    : { value: randomBytes(32).toString("base64url"), fixed: false };
  return secret;
}

/** This process's server secret, for a durable store to keep; from now on it cannot be replaced by another. */
export function currentServerSecret(): string {
  const s = serverSecret();
  s.fixed = true;
  return s.value;
}

/**
 * Makes `stored` (kept by a durable store) this process's server secret. Throws when the process
 * already uses another one — GITPOD_SERVER_SECRET, or one another store kept — since values
 * sealed under either would otherwise become unreadable.
 */
export function adoptServerSecret(stored: string): void {
  const s = serverSecret();
  if (s.value === stored) return;
  if (s.fixed) {
    throw new Error(
      "the store was written with another server secret than this process uses: set GITPOD_SERVER_SECRET to the one the store was written with, or use one store per process",
    );
  }
  secret = { value: stored, fixed: true };
  cachedKey = undefined;
}

function serverKey(): Buffer {
  cachedKey ??= scryptSync(serverSecret().value, "gitpod-connect/secret-box/v1", 32);
  return cachedKey;
}

/** Seals `plaintext`: tag byte, 12-byte IV, 16-byte GCM tag, ciphertext. A fresh IV every time. */
export function sealSecret(plaintext: string): Uint8Array {
  return sealWithKey(serverKey(), serverSealTag, plaintext);
}

/** The plaintext of a value sealed by `sealSecret`. Throws when it was not sealed with this server's key or was altered. */
export function openSecret(sealed: Uint8Array): string {
  if (sealed[0] !== serverSealTag) throw new Error("not sealed with the server key");
  return openWithKey(serverKey(), sealed);
}

/** AES-256-GCM with `key`; the tag byte is authenticated too. runner-encryption.ts seals with it (the runner opens). */
export function sealWithKey(key: Uint8Array, tag: number, plaintext: string, prefix: Uint8Array = new Uint8Array()): Uint8Array {
  const iv = randomBytes(ivLength);
  const header = Buffer.concat([Buffer.of(tag), prefix]);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return new Uint8Array(Buffer.concat([header, iv, cipher.getAuthTag(), body]));
}

/** Inverse of `sealWithKey` without a prefix (a one-byte header). */
function openWithKey(key: Uint8Array, sealed: Uint8Array): string {
  const headerLength = 1;
  if (sealed.length < headerLength + ivLength + authTagLength) throw new Error("sealed value too short");
  const buf = Buffer.from(sealed);
  const iv = buf.subarray(headerLength, headerLength + ivLength);
  const authTag = buf.subarray(headerLength + ivLength, headerLength + ivLength + authTagLength);
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(buf.subarray(0, headerLength));
  decipher.setAuthTag(authTag);
  return Buffer.concat([decipher.update(buf.subarray(headerLength + ivLength + authTagLength)), decipher.final()]).toString("utf8");
}

/** Smallest length of a sealed value with a header prefix of `prefixLength` bytes. */
export function minimumSealedLength(prefixLength = 0): number {
  return 1 + prefixLength + ivLength + authTagLength;
}
