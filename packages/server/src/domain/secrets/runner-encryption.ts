// Encryption "with the runner's public key" for OAuth client secrets (the docs: the server encrypts
// the clear-text secret for the runner before storing it; only the runner can read it).
//
// A runner that reported a 32-byte X25519 public key (RunnerStatus.public_key) gets an ECIES-style
// sealed box: an ephemeral X25519 key pair, HKDF-SHA256 of the shared secret as the AES-256-GCM
// key; the value is tag 0x02, the ephemeral public key, IV, GCM tag, ciphertext. The server keeps
// no private key, so it cannot read the secret back. A runner without a public key (e.g. the
// bootstrap runner) gets the server's secret box (secret-box.ts) instead.
import { createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from "node:crypto";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { minimumSealedLength, openSecret, sealSecret, sealWithKey, serverSealTag } from "./secret-box.js";

/** First byte of a value sealed for a runner's X25519 public key. */
export const runnerSealTag = 0x02;
const publicKeyLength = 32;
const hkdfInfo = Buffer.from("gitpod-connect/runner-sealed-box/v1");

function x25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
}

function rawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: "jwk" }).x!, "base64url");
}

function runnerPublicKey(runner: Runner): Uint8Array | undefined {
  const key = runner.status?.publicKey;
  return key && key.length === publicKeyLength ? key : undefined;
}

/** Encrypts `plaintext` so that only `runner` can read it (or, without a runner key, only this server). */
export function encryptForRunner(runner: Runner, plaintext: string): Uint8Array {
  const recipient = runnerPublicKey(runner);
  if (!recipient) return sealSecret(plaintext);
  const ephemeral = generateKeyPairSync("x25519");
  const ephemeralPublic = rawPublicKey(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: x25519PublicKey(recipient) });
  const key = Buffer.from(hkdfSync("sha256", shared, Buffer.concat([ephemeralPublic, recipient]), hkdfInfo, 32));
  return sealWithKey(key, runnerSealTag, plaintext, ephemeralPublic);
}

/**
 * Why `sealed` is not a secret encrypted for `runner`, or undefined when it is one. A value sealed
 * with the server key is opened (and so fully checked); a runner-sealed value can only be checked
 * for its shape, since only the runner holds the private key.
 */
export function encryptedSecretProblem(runner: Runner, sealed: Uint8Array): string | undefined {
  if (sealed.length === 0) return "the encrypted client secret is empty";
  if (runnerPublicKey(runner)) {
    if (sealed[0] !== runnerSealTag || sealed.length <= minimumSealedLength(publicKeyLength))
      return "the encrypted client secret was not encrypted with the runner's public key";
    return undefined;
  }
  if (sealed[0] !== serverSealTag) return "the encrypted client secret was not encrypted for this runner";
  try {
    openSecret(sealed);
    return undefined;
  } catch {
    return "the encrypted client secret cannot be decrypted for this runner";
  }
}
