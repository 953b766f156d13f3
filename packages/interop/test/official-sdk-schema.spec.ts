// Every field the official JSON client, @gitpod/sdk 0.6.0, sends or reads exists in our schema
// under the same JSON name, with a compatible shape — checked from the SDK's own declaration files,
// without a server and without a hand-written mapping.
//
// sdk-rpc-methods.ts reads which RPC each SDK method posts to (from the SDK's JavaScript) and the
// method's parameter and response types (from its .d.ts); sdk-schema-diff.ts walks each SDK type
// against our request or response message, property by field. A list method's response is its page
// class (`EnvironmentsPage<Environment>`: `environments: Environment[]` and `pagination.nextToken`),
// so the list item type is compared with the element message of the response's repeated field.
// The SDK moves a list's `token` and `pageSize` to the URL query, so they are not request fields.
import type { DescFile, DescMethod, DescService } from "@bufbuild/protobuf";
import * as schema from "@gitpod-connect/schema";
import { CreateRunnerRequestSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { describe, expect, it } from "vitest";
import { readSdkDeclarations, type SdkRpcMethod } from "./sdk-rpc-methods.js";
import { compareWithMessage, type SchemaComparison } from "./sdk-schema-diff.js";

/** Our services by full name ("gitpod.v1.EnvironmentService"), from every generated file. */
const ourServices = new Map<string, DescService>(
  Object.entries(schema)
    .filter(([name]) => name.startsWith("file_"))
    .flatMap(([, file]) => (file as DescFile).services)
    .map((service) => [service.typeName, service]),
);

const sdk = readSdkDeclarations();

/**
 * Of EventService and IdentityService our schema carries only what the current official SDK
 * relies on (WatchEvents, GetAuthenticatedIdentity); the SDK 0.6.0's other RPCs of those two
 * services are outside it by design.
 */
const partlyCarried = new Set(["gitpod.v1.EventService", "gitpod.v1.IdentityService"]);
const carries = (m: SdkRpcMethod) =>
  ourServices.has(m.service) && (!partlyCarried.has(m.service) || ourServices.get(m.service)!.methods.some((r) => r.name === m.rpc));
/** The SDK methods that post to an RPC of ours (every RPC of the four documented services). */
const methods = sdk.methods.filter(carries);

/**
 * Differences that are the SDK's age, not our schema's fault: the 0.6.0 client sends a field the
 * current API (our wire facts, from SDK 1.0.1) no longer has. Unknown JSON keys are ignored, so
 * the call still works (official-sdk-identity.spec.ts proves it).
 */
const olderThanTheFacts = new Set(["IdentityGetAuthenticatedIdentityParams.empty → gitpod.v1.GetAuthenticatedIdentityRequest has no field with JSON name empty"]);

/** The SDK 0.6.0's methods on our four services: 13 EnvironmentService, 17 EnvironmentAutomationService, 12 RunnerService, 16 RunnerConfigurationService. */
const minimumMethods = 58;

interface MethodComparison {
  readonly method: SdkRpcMethod;
  readonly rpc: DescMethod | undefined;
  readonly request: SchemaComparison | undefined;
  readonly response: SchemaComparison | undefined;
}

function compareMethod(method: SdkRpcMethod): MethodComparison {
  const rpc = ourServices.get(method.service)?.methods.find((m) => m.name === method.rpc);
  return {
    method,
    rpc,
    request: rpc && method.params ? compareWithMessage(sdk.checker, method.params, rpc.input, method.queryParams) : undefined,
    response: rpc && method.response ? compareWithMessage(sdk.checker, method.response, rpc.output) : undefined,
  };
}

const comparisons = methods.map(compareMethod);

function title({ method, rpc }: MethodComparison): string {
  const service = method.service.replace(/^gitpod\.v1\./, "");
  if (!rpc) return `${service}.${method.rpc}: is an RPC of our schema, as ${method.path} expects`;
  const request = method.params ? `every field of ${method.params.name} exists in ${rpc.input.name}` : `${method.path} sends no body`;
  const response = method.response ? `, and every field of ${method.response.name} in ${rpc.output.name}` : "";
  return `${service}.${method.rpc}: ${request}${response}`;
}

describe("the official SDK's types against our schema", () => {
  it(`finds at least ${minimumMethods} SDK methods that post to our services, every method of client.environments and client.runners among them`, () => {
    expect(methods.length).toBeGreaterThanOrEqual(minimumMethods);
    const ours = sdk.methods.filter((m) => /^(environments|runners)\./.test(m.path));
    expect(ours.filter((m) => !ourServices.has(m.service)).map((m) => `${m.path} → ${m.service}`)).toEqual([]);
    expect(ours.map((m) => m.path)).toEqual(expect.arrayContaining(["environments.create", "environments.automations.tasks.executions.list", "runners.policies.update", "runners.configurations.scmIntegrations.list"]));
    // Every method has a parameter type; every list sends exactly token and pageSize in the query.
    expect(methods.filter((m) => !m.params).map((m) => m.path)).toEqual([]);
    expect(methods.filter((m) => m.paginated).map((m) => m.queryParams)).toEqual(methods.filter((m) => m.paginated).map(() => ["token", "pageSize"]));
  });

  it("leaves out exactly the SDK's RPCs of EventService and IdentityService beyond the two the current API's clients rely on", () => {
    const left = sdk.methods.filter((m) => partlyCarried.has(m.service) && !carries(m)).map((m) => `${m.service}/${m.rpc}`);
    expect(left.sort()).toEqual(["gitpod.v1.EventService/ListAuditLogs", "gitpod.v1.IdentityService/ExchangeToken", "gitpod.v1.IdentityService/GetIDToken"]);
    expect(methods.map((m) => m.path)).toEqual(expect.arrayContaining(["events.watch", "identity.getAuthenticatedIdentity"]));
  });

  it("walks hundreds of SDK interfaces and well over a thousand properties, so no comparison passes by comparing nothing", () => {
    const interfaces = new Set<string>();
    let properties = 0;
    let literals = 0;
    for (const { request, response } of comparisons) {
      for (const c of [request, response]) {
        c?.interfaces.forEach((i) => interfaces.add(i));
        properties += c?.properties ?? 0;
        literals += c?.literals ?? 0;
      }
    }
    expect(interfaces.size).toBeGreaterThanOrEqual(200);
    expect(properties).toBeGreaterThanOrEqual(1500);
    expect(literals).toBeGreaterThanOrEqual(500);
    // The paginated lists compared their items, not just the page: Environment's spec is reached through environments[].
    const list = comparisons.find((c) => c.method.path === "environments.list")?.response;
    expect([...(list?.fields ?? [])]).toEqual(expect.arrayContaining(["gitpod.v1.ListEnvironmentsResponse.environments", "gitpod.v1.Environment.spec", "gitpod.v1.PaginationResponse.nextToken"]));
  });

  it("reports the differences when EnvironmentCreateParams is compared with RunnerService's CreateRunnerRequest", () => {
    const create = methods.find((m) => m.path === "environments.create");
    if (!create?.params) throw new Error("the SDK has no environments.create");
    const { differences } = compareWithMessage(sdk.checker, create.params, CreateRunnerRequestSchema);
    expect(differences).toContain("EnvironmentCreateParams.spec.machine → gitpod.v1.RunnerSpec has no field with JSON name machine");
    expect(differences).toContain("EnvironmentCreateParams.spec.desiredPhase → gitpod.v1.RunnerPhase has no value ENVIRONMENT_PHASE_RUNNING");
  });

  for (const comparison of comparisons) {
    it(title(comparison), () => {
      expect(comparison.rpc, `our ${comparison.method.service} has no RPC ${comparison.method.rpc}`).toBeDefined();
      const differences = [...(comparison.request?.differences ?? []), ...(comparison.response?.differences ?? [])];
      expect(differences.filter((d) => !olderThanTheFacts.has(d))).toEqual([]);
    });
  }
});
