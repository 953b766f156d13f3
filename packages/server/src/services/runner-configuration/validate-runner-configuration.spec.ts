import { Code } from "@connectrpc/connect";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentClasses } from "../../domain/environment-classes/index.js";
import { scmIntegrations } from "../../domain/scm/index.js";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { runnerConfigurationService } from "./runner-configuration-service.js";
import { sealSecret } from "../../domain/secrets/index.js";
import { expectFailure } from "./test-fixtures.js";

let server: TestServer;
let runnerId: string;
let admin: ReturnType<typeof clientFor>;
const clientFor = (token: string) => server.client(RunnerConfigurationService, token);

beforeAll(async () => {
  server = await startTestServer({ implementations: [runnerConfigurationService] });
  runnerId = server.bootstrap.runnerId;
  admin = clientFor(testTokens.admin);
});
afterAll(() => server.close());

const validateClass = (value: { displayName: string; description: string; configuration: { key: string; value: string }[]; runnerId?: string }) =>
  admin.validateRunnerConfiguration({ runnerId, config: { case: "environmentClass", value } });
type ScmInput = {
  id?: string;
  scmId: string;
  host: string;
  oauthClientId?: string;
  pat?: boolean;
  virtualDirectory?: string;
  issuerUrl?: string;
  oauthClientSecret?: { case: "oauthPlaintextClientSecret"; value: string } | { case: "oauthEncryptedClientSecret"; value: Uint8Array };
};
const validateScm = (value: ScmInput) => admin.validateRunnerConfiguration({ runnerId, config: { case: "scmIntegration", value } });

async function count() {
  const store = server.deps.store;
  return (
    (await store.collection(environmentClasses).list({ limit: 1000 })).items.length + (await store.collection(scmIntegrations).list({ limit: 1000 })).items.length
  );
}

describe("ValidateRunnerConfiguration for an environment class", () => {
  it("reports a valid class as valid, without storing it", async () => {
    const before = await count();
    const { result } = await validateClass({ displayName: "Medium", description: "4 cores", configuration: [{ key: "cpu", value: "4" }, { key: "memory", value: "16" }] });
    expect(result).toMatchObject({ case: "environmentClass", value: { valid: true, configurationErrors: [] } });
    expect(result.value).not.toHaveProperty("displayNameError", expect.anything());
    expect(await count()).toBe(before);
  });

  it("reports every configuration problem per key, plus name and description problems", async () => {
    const { result } = await validateClass({
      displayName: " Padded",
      description: "bad\u0007bell",
      configuration: [
        { key: "cpu", value: "0" },
        { key: "gpu", value: "1" },
        { key: "architecture", value: "riscv" },
      ],
    });
    expect(result.case).toBe("environmentClass");
    const value = result.value as { valid: boolean; displayNameError?: string; descriptionError?: string; configurationErrors: { key: string; error: string }[] };
    expect(value.valid).toBe(false);
    expect(value.displayNameError).toContain("white space");
    expect(value.descriptionError).toContain("control characters");
    expect(value.configurationErrors.map((e) => e.key)).toEqual(["cpu", "gpu", "architecture", "memory"]);
    expect(value.configurationErrors[0]!.error).toContain("between 1 and 448");
    expect(value.configurationErrors[3]!.error).toContain("missing");
  });

  it("reports a too-short display name and description in the result instead of failing the call", async () => {
    const { result } = await validateClass({ displayName: "ab", description: "no", configuration: [] });
    const value = result.value as { valid: boolean; displayNameError?: string; descriptionError?: string };
    expect(value.valid).toBe(false);
    expect(value.displayNameError).toMatch(/3/);
    expect(value.descriptionError).toMatch(/3/);
  });

  it("answers a runner_id that is no UUID with not_found, as no request validation applies (like the real API)", async () => {
    await expectFailure(
      admin.validateRunnerConfiguration({ runnerId: "not-a-uuid", config: { case: "environmentClass", value: { displayName: "Valid name", description: "Valid description", configuration: [] } } }),
      Code.NotFound,
      "runner",
      "not-a-uuid",
    );
  });

  it("rejects an environment class naming another runner", async () => {
    await expectFailure(
      validateClass({ runnerId: "00000000-0000-4000-8000-0000000fffff", displayName: "Other", description: "elsewhere", configuration: [] }),
      Code.InvalidArgument,
      "environment_class.runner_id",
    );
  });
});

describe("ValidateRunnerConfiguration for an SCM integration", () => {
  it("reports a valid proposal as valid, without storing it", async () => {
    const before = await count();
    const { result } = await validateScm({
      scmId: "github",
      host: "github.example.com",
      oauthClientId: "Iv1.abc",
      oauthClientSecret: { case: "oauthPlaintextClientSecret", value: "secret" },
      pat: true,
    });
    expect(result).toEqual(expect.objectContaining({ case: "scmIntegration", value: expect.objectContaining({ valid: true }) }));
    expect(await count()).toBe(before);
  });

  it("reports scm_id, host, oauth and pat errors separately", async () => {
    const { result } = await validateScm({ scmId: "cvs", host: "https://x", oauthClientSecret: { case: "oauthPlaintextClientSecret", value: "s" }, pat: false });
    expect(result.case).toBe("scmIntegration");
    expect(result.value).toMatchObject({
      valid: false,
      scmIdError: expect.stringContaining("unknown SCM"),
      hostError: expect.stringContaining("scheme"),
      oauthError: expect.stringContaining("client ID"),
      patError: expect.stringContaining("a way to authenticate"),
    });
  });

  it("reports a host that already has an integration on the runner, except for that integration itself", async () => {
    const { id } = await admin.createSCMIntegration({ runnerId, scmId: "gitlab", host: "gitlab.example.com", pat: true });
    const dup = await validateScm({ scmId: "gitlab", host: "GitLab.example.com", pat: true });
    expect(dup.result.value).toMatchObject({ valid: false, hostError: expect.stringContaining("already has") });
    const self = await validateScm({ id, scmId: "gitlab", host: "gitlab.example.com", pat: true });
    expect(self.result.value).toMatchObject({ valid: true });
  });

  it("checks an already encrypted client secret, and uses the stored one of an existing integration", async () => {
    const good = await validateScm({ scmId: "github", host: "ok.example.com", oauthClientId: "c", oauthClientSecret: { case: "oauthEncryptedClientSecret", value: sealSecret("s") } });
    expect(good.result.value).toMatchObject({ valid: true });
    const bad = await validateScm({ scmId: "github", host: "ok.example.com", oauthClientId: "c", oauthClientSecret: { case: "oauthEncryptedClientSecret", value: new Uint8Array([1, 2, 3]) } });
    expect(bad.result.value).toMatchObject({ valid: false, oauthError: expect.stringContaining("decrypted") });
    const { id } = await admin.createSCMIntegration({ runnerId, scmId: "github", host: "stored.example.com", oauthClientId: "c", oauthPlaintextClientSecret: "s" });
    const existing = await validateScm({ id, scmId: "github", host: "stored.example.com", oauthClientId: "c2" });
    expect(existing.result.value).toMatchObject({ valid: true });
  });

  it("answers not_found for an unknown integration id, an unknown runner and another organization's runner", async () => {
    await expectFailure(validateScm({ id: "00000000-0000-4000-8000-0000000fffff", scmId: "github", host: "github.com", pat: true }), Code.NotFound, "SCM integration");
    await expectFailure(
      admin.validateRunnerConfiguration({ runnerId: "00000000-0000-4000-8000-0000000fffff", config: { case: "scmIntegration", value: { scmId: "github", host: "github.com", pat: true } } }),
      Code.NotFound,
      "runner",
    );
    await expectFailure(
      clientFor(testTokens.other).validateRunnerConfiguration({ runnerId, config: { case: "scmIntegration", value: { scmId: "github", host: "github.com", pat: true } } }),
      Code.NotFound,
    );
  });

  it("rejects a request without a configuration with invalid_argument naming config", async () => {
    await expectFailure(admin.validateRunnerConfiguration({ runnerId }), Code.InvalidArgument, "config");
  });
});
