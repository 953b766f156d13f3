// Encryption of secrets the server keeps (host token values, refresh tokens, and OAuth client
// secrets of runners without a public key): AES-256-GCM with a server key.
//
// The key is derived (scrypt) from GITPOD_SERVER_SECRET when that is set, so sealed values stay
// readable across restarts of a server that persisted them; otherwise it is 32 random bytes per
// process — fine for the in-memory store, whose contents die with the process anyway.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";

/** First byte of a value sealed with the server key. */
export const serverSealTag = 0x01;
const ivLength = 12;
const authTagLength = 16;

let cachedKey: Buffer | undefined;

function serverKey(): Buffer {
  if (!cachedKey) {
    const secret = process.env.GITPOD_SERVER_SECRET;
    cachedKey = secret ? scryptSync(secret, "gitpod-connect/secret-box/v1", 32) : randomBytes(32);
  }
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
