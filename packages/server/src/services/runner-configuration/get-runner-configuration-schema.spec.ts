import { Code } from "@connectrpc/connect";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { runnerConfigurationService } from "./runner-configuration-service.js";
import { addRunner, expectFailure } from "./test-fixtures.js";

let server: TestServer;
let admin: ReturnType<typeof clientFor>;
const clientFor = (token: string) => server.client(RunnerConfigurationService, token);

beforeAll(async () => {
  server = await startTestServer({ implementations: [runnerConfigurationService] });
  admin = clientFor(testTokens.admin);
});
afterAll(() => server.close());

describe("GetRunnerConfigurationSchema", () => {
  it("describes the bootstrap (AWS EC2) runner: machine shape fields, runner settings and SCM systems", async () => {
    const { schema } = await admin.getRunnerConfigurationSchema({ runnerId: server.bootstrap.runnerId });
    expect(schema?.version).toBe("aws-ec2/2025-01");
    const fields = Object.fromEntries(schema!.environmentClasses.map((f) => [f.id, f]));
    expect(Object.keys(fields)).toEqual(["cpu", "memory", "disk", "architecture", "spot"]);
    expect(fields.cpu).toMatchObject({ required: true, type: { case: "int", value: { min: 1, max: 448 } } });
    expect(fields.disk).toMatchObject({ required: false, type: { case: "int", value: { default: 30 } } });
    expect(fields.architecture?.type).toMatchObject({
      case: "enum",
      value: { default: "amd64", values: ["amd64", "arm64"], defaultValue: { title: "amd64" }, possibleValues: [{ title: "amd64" }, { title: "arm64" }] },
    });
    expect(schema!.runnerConfig.map((f) => f.id)).toContain("region");
    const scm = Object.fromEntries(schema!.scm.map((s) => [s.scmId, s]));
    expect(Object.keys(scm)).toEqual(["github", "gitlab", "bitbucket", "azure-devops"]);
    expect(scm.github).toMatchObject({ name: "GitHub", defaultHosts: ["github.com"], oauth: { callbackUrl: expect.stringMatching(/^https:\/\//) } });
    expect(scm.gitlab?.pat?.docsLink).toMatch(/^https:\/\/docs\.gitlab\.com\//);
    expect(scm.bitbucket?.pat?.description).not.toBe("");
  });

  it("follows the runner's provider, falling back to its kind for runners without one", async () => {
    const local = await addRunner(server, { provider: RunnerProvider.LINUX_HOST, kind: RunnerKind.LOCAL });
    const gcp = await addRunner(server, { provider: RunnerProvider.GCP });
    const legacyRemote = await addRunner(server, { provider: RunnerProvider.UNSPECIFIED, kind: RunnerKind.REMOTE });
    const version = async (runnerId: string) => (await admin.getRunnerConfigurationSchema({ runnerId })).schema?.version;
    expect(await version(local)).toBe("local/2025-01");
    expect(await version(gcp)).toBe("gcp/2025-01");
    expect(await version(legacyRemote)).toBe("aws-ec2/2025-01");
    const localSchema = (await admin.getRunnerConfigurationSchema({ runnerId: local })).schema!;
    expect(localSchema.runnerConfig.find((f) => f.id === "host_info")?.type.case).toBe("display");
  });

  it("answers not_found for an unknown runner and another organization's runner, invalid_argument for a bad id", async () => {
    await expectFailure(admin.getRunnerConfigurationSchema({ runnerId: "00000000-0000-4000-8000-0000000fffff" }), Code.NotFound, "runner");
    await expectFailure(clientFor(testTokens.other).getRunnerConfigurationSchema({ runnerId: server.bootstrap.runnerId }), Code.NotFound);
    await expectFailure(admin.getRunnerConfigurationSchema({ runnerId: "x" }), Code.InvalidArgument, "runner_id");
  });
});
