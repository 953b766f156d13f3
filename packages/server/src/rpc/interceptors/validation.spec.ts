// Request validation as clients see it: over a real socket, in every protocol, the error of a
// request that breaks its rules names every field path in its message and carries the
// violations as a buf.validate.Violations detail.
import { CompilationError, type Validator } from "@bufbuild/protovalidate";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { flavours, startTestServer, testTokens, type TestServer } from "../../test-support/test-server.js";
import { validationInterceptor } from "./validation.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const failure = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => ConnectError.from(e),
  );

/** Each violation of the error's buf.validate.Violations detail as "path [rule id]". */
function violationsOf(e: ConnectError): string[] {
  const details = e.findDetails(ViolationsSchema);
  expect(details).toHaveLength(1);
  return details[0]!.violations.map((v) => {
    const path = (v.field?.elements ?? []).map((el) => el.fieldName).join(".");
    return `${path} [${v.ruleId}]`;
  });
}

describe.each(flavours)("validation over %s", (flavour) => {
  it("GetRunner with a non-UUID runner_id: invalid_argument with a Violations detail naming runner_id", async () => {
    const e = await failure(server.client(RunnerService, testTokens.admin, flavour).getRunner({ runnerId: "not-a-uuid" }));
    expect(e.code).toBe(Code.InvalidArgument);
    expect(e.rawMessage).toMatch(/^runner_id: [^;]*UUID[^;]*$/);
    expect(violationsOf(e)).toEqual(["runner_id [string.uuid]"]);
    const [violation] = e.findDetails(ViolationsSchema)[0]!.violations;
    expect(violation!.field?.elements[0]).toMatchObject({ fieldName: "runner_id", fieldNumber: 1 });
  });

  it("names every violated field in the message, and lists each in the detail", async () => {
    const client = server.client(RunnerConfigurationService, testTokens.admin, flavour);
    const e = await failure(client.createHostAuthenticationToken({ runnerId: "nope", host: "", token: "" }));
    expect(e.code).toBe(Code.InvalidArgument);
    for (const path of ["runner_id: ", "host: ", "token: "]) expect(e.rawMessage).toContain(path);
    expect(e.rawMessage.split("; ")).toHaveLength(3);
    expect(violationsOf(e)).toEqual(expect.arrayContaining(["runner_id [string.uuid]", "host [string.min_len]", "token [string.min_len]"]));
  });

  it("names nested field paths (pagination.page_size)", async () => {
    const client = server.client(RunnerConfigurationService, testTokens.admin, flavour);
    const e = await failure(client.listEnvironmentClasses({ pagination: { pageSize: 101 } }));
    expect(e.rawMessage).toMatch(/^pagination\.page_size: /);
    expect(violationsOf(e)).toEqual([expect.stringMatching(/^pagination\.page_size \[int32\./)]);
  });
});

describe("validation outcomes", () => {
  it("lets a valid request reach its handler", async () => {
    const { runner } = await server.client(RunnerService, testTokens.admin).getRunner({ runnerId: server.bootstrap.runnerId });
    expect(runner?.runnerId).toBe(server.bootstrap.runnerId);
  });

  it("accepts SearchRepositories without the deprecated limit (its rule ignores the zero value)", async () => {
    const client = server.client(RunnerService, testTokens.admin);
    const e = await client.searchRepositories({ runnerId: server.bootstrap.runnerId, scmHost: "github.com" }).catch((x: unknown) => ConnectError.from(x));
    // Whatever the handler answers (the caller holds no token for the host), it is not a violation of `limit`.
    if (e instanceof ConnectError) expect(e.rawMessage).not.toMatch(/\blimit\b/);
    const bad = await failure(client.searchRepositories({ runnerId: server.bootstrap.runnerId, limit: 101 }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(violationsOf(bad)).toEqual(["limit [int32.gte_lte]"]);
  });

  it("applies no request validation to ValidateRunnerConfiguration (the handler reports problems)", async () => {
    const client = server.client(RunnerConfigurationService, testTokens.admin);
    const { result } = await client.validateRunnerConfiguration({
      runnerId: server.bootstrap.runnerId,
      config: { case: "environmentClass", value: { displayName: "ab", description: "no", configuration: [] } },
    });
    expect(result.case).toBe("environmentClass");
    expect(result.value).toMatchObject({ valid: false });
  });

  it("answers internal, not invalid_argument, when the rules themselves cannot be evaluated", async () => {
    const broken: Validator = { validate: () => ({ kind: "error", error: new CompilationError("broken rule") }) } as unknown as Validator;
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const transport = createRouterTransport(
        (router) => router.service(RunnerService, { getRunner: () => ({}) }),
        { router: { interceptors: [validationInterceptor({ validator: broken })] } },
      );
      const e = await failure(createClient(RunnerService, transport).getRunner({ runnerId: "x" }));
      expect(e.code).toBe(Code.Internal);
      expect(e.rawMessage).toBe("request validation failed");
      expect(log).toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });

  it("leaves errors of the handler itself untouched", async () => {
    const transport = createRouterTransport(
      (router) =>
        router.service(RunnerService, {
          getRunner: () => {
            throw new ConnectError("runner gone", Code.NotFound);
          },
        }),
      { router: { interceptors: [validationInterceptor()] } },
    );
    const e = await failure(createClient(RunnerService, transport).getRunner({ runnerId: "00000000-0000-4000-8000-000000000000" }));
    expect([Code[e.code], e.rawMessage]).toEqual([Code[Code.NotFound], "runner gone"]);
  });
});
