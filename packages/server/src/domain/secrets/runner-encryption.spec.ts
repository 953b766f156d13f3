import { create } from "@bufbuild/protobuf";
import { RunnerSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encryptForRunner, encryptedSecretProblem, runnerSealTag } from "./runner-encryption.js";
import { openSecret, sealSecret } from "./secret-box.js";

const keyless = create(RunnerSchema, { runnerId: "r1" });
function keyedRunner() {
  const { publicKey } = generateKeyPairSync("x25519");
  const raw = new Uint8Array(Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url"));
  return create(RunnerSchema, { runnerId: "r2", status: { publicKey: raw } });
}

describe("encryption for a runner", () => {
  it("uses the server key for a runner without a public key", () => {
    const sealed = encryptForRunner(keyless, "client-secret");
    expect(openSecret(sealed)).toBe("client-secret");
    expect(encryptedSecretProblem(keyless, sealed)).toBeUndefined();
  });

  it("seals for the runner's X25519 key, which the server cannot open", () => {
    const runner = keyedRunner();
    const sealed = encryptForRunner(runner, "client-secret");
    expect(sealed[0]).toBe(runnerSealTag);
    expect(() => openSecret(sealed)).toThrow();
    expect(Buffer.from(sealed).includes(Buffer.from("client-secret"))).toBe(false);
    expect(encryptedSecretProblem(runner, sealed)).toBeUndefined();
  });

  it("flags values that were not encrypted for this runner", () => {
    const runner = keyedRunner();
    expect(encryptedSecretProblem(runner, sealSecret("x"))).toContain("public key");
    expect(encryptedSecretProblem(keyless, encryptForRunner(runner, "x"))).toBeDefined();
    expect(encryptedSecretProblem(keyless, new Uint8Array())).toContain("empty");
    expect(encryptedSecretProblem(keyless, new TextEncoder().encode("plain text"))).toBeDefined();
  });
});
