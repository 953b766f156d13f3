// Secrets the server keeps: sealed with the server key (secret-box.ts) or encrypted for a runner's
// public key (runner-encryption.ts).
export { sealSecret, openSecret } from "./secret-box.js";
export { encryptForRunner, encryptedSecretProblem } from "./runner-encryption.js";
