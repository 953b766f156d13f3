// The protocol matrix's error table: documented error cases (the server README and the proto
// comments say which code each condition gets), each called on every protocol after the scenario,
// against the state it left (protocol-scenario.ts). Every case must fail with its documented code,
// and with the same code, raw message and details on every protocol.
import type { DescMessage, DescMethod, DescMethodServerStreaming, DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, createClient, type CallOptions } from "@connectrpc/connect";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EventService } from "@gitpod-connect/schema/gitpod/v1/event";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerRole, RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { otherOrganizationToken, type ProtocolPeer } from "./protocol-peer.js";
import { errorRecord, headersOf, type ErrorRecord } from "./protocol-run.js";
import type { Caller, ScenarioContext } from "./protocol-steps.js";

export interface ErrorCase {
  /** The test title: "<name> carries the same code, message and details". */
  readonly name: string;
  readonly method: DescMethod;
  readonly caller: Caller;
  readonly request: (ctx: ScenarioContext) => MessageInitShape<DescMessage>;
  /** The documented code. */
  readonly code: Code;
  /** Whether the error must carry `buf.validate.Violations` (protovalidate's errors). */
  readonly violations?: boolean;
}

/** `errorCase(name, method)(request, code, options)` (curried as the scenario's `call`). */
function errorCase<I extends DescMessage, O extends DescMessage>(
  name: string,
  method: DescMethodUnary<I, O> | DescMethodServerStreaming<I, O>,
): (request: (ctx: ScenarioContext) => MessageInitShape<I>, code: Code, options?: { caller?: Caller; violations?: boolean }) => ErrorCase {
  return (request, code, options = {}) => ({
    name,
    method,
    caller: options.caller ?? "admin",
    request,
    code,
    ...(options.violations ? { violations: true } : {}),
  });
}

const unknownId = "00000000-0000-4000-8000-00000000ffff";
const runnerToken: Caller = (ctx) => ctx.get("runnerToken");
/** Over the 4 MiB request limit (server README, "Limits"). */
const overFourMiB = "x".repeat(4 * 1024 * 1024 + 1);

export const errorCases: readonly ErrorCase[] = [
  errorCase("not_found: an unknown environment id", EnvironmentService.method.getEnvironment)(() => ({ environmentId: unknownId }), Code.NotFound),
  errorCase("not_found: an unknown runner in UpdateRunner", RunnerService.method.updateRunner)(() => ({ runnerId: unknownId, name: "matrix" }), Code.NotFound),
  errorCase("not_found: another organization's environment", EnvironmentService.method.getEnvironment)((ctx) => ({ environmentId: ctx.get("envB") }),
    Code.NotFound,
    { caller: () => otherOrganizationToken },
  ),
  errorCase("invalid_argument (validation): an id that is no UUID", EnvironmentService.method.getEnvironment)(() => ({ environmentId: "not-a-uuid" }), Code.InvalidArgument, {
    violations: true,
  }),
  errorCase("invalid_argument (validation): two bad fields at once", RunnerService.method.createRunnerPolicy)(() => ({ runnerId: "runner", groupId: "group", role: RunnerRole.ADMIN }),
    Code.InvalidArgument,
    { violations: true },
  ),
  errorCase("invalid_argument (validation) on a stream: WatchEvents for an unspecified resource type", EventService.method.watchEvents)(() => ({ scope: { case: "organization", value: true }, resourceTypeFilters: [{}] }), Code.InvalidArgument, {
    violations: true,
  }),
  errorCase("invalid_argument (handler): a forged page token", RunnerService.method.listRunners)(() => ({ pagination: { token: "forged.token" } }), Code.InvalidArgument),
  errorCase("invalid_argument (handler): a port listed twice", EnvironmentService.method.createEnvironment)((ctx) => ({ spec: { machine: { class: ctx.bootstrap.environmentClassId }, ports: [{ port: 3000, name: "a" }, { port: 3000, name: "b" }] } }),
    Code.InvalidArgument,
  ),
  // The message quotes the host as sent: non-ASCII and `%` must survive gRPC's percent-encoded grpc-message.
  errorCase("invalid_argument (handler): a message quoting non-ASCII and %", RunnerService.method.checkAuthenticationForHost)(
    (ctx) => ({ runnerId: ctx.get("runner1"), host: "bücher-🚀%41.example" }),
    Code.InvalidArgument,
  ),
  errorCase("invalid_argument (handler) on a stream: WatchEvents with organization false", EventService.method.watchEvents)(() => ({ scope: { case: "organization", value: false } }), Code.InvalidArgument),
  errorCase("failed_precondition: starting a task while its environment is stopped", EnvironmentAutomationService.method.startTask)((ctx) => ({ id: ctx.get("taskB") }),
    Code.FailedPrecondition,
  ),
  errorCase("failed_precondition: searching repositories on a host nobody integrated", RunnerService.method.searchRepositories)((ctx) => ({ runnerId: ctx.get("runner1"), scmHost: "scm.unknown.example" }),
    Code.FailedPrecondition,
  ),
  errorCase("already_exists: a second service with the same reference", EnvironmentAutomationService.method.createService)((ctx) => ({ environmentId: ctx.get("envB"), metadata: { reference: "api", name: "API again" }, spec: { commands: { start: "node server.js" } } }),
    Code.AlreadyExists,
  ),
  errorCase("permission_denied: a runner token creating a runner", RunnerService.method.createRunner)(() => ({ name: "not allowed", provider: RunnerProvider.AWS_EC2 }), Code.PermissionDenied, {
    caller: runnerToken,
  }),
  errorCase("permission_denied: a runner token reading another runner", RunnerService.method.getRunner)((ctx) => ({ runnerId: ctx.bootstrap.runnerId }), Code.PermissionDenied, {
    caller: runnerToken,
  }),
  errorCase("permission_denied: an environment token stopping its environment", EnvironmentService.method.stopEnvironment)((ctx) => ({ environmentId: ctx.get("envB") }),
    Code.PermissionDenied,
    { caller: (ctx) => ctx.get("envBToken") },
  ),
  errorCase("unauthenticated: no token", RunnerService.method.listRunners)(() => ({}), Code.Unauthenticated, { caller: "none" }),
  errorCase("unauthenticated: an unknown token", IdentityService.method.getAuthenticatedIdentity)(() => ({}), Code.Unauthenticated, { caller: () => "gitpod_not-a-token" }),
  errorCase("unauthenticated: no token on a stream", EventService.method.watchEvents)(() => ({}), Code.Unauthenticated, { caller: "none" }),
  errorCase("unimplemented: an Azure DevOps context URL", RunnerService.method.parseContextURL)((ctx) => ({ runnerId: ctx.get("runner1"), contextUrl: "https://dev.azure.com/org/project/_git/repo" }),
    Code.Unimplemented,
  ),
  errorCase("resource_exhausted: a request over 4 MiB", EnvironmentService.method.updateEnvironment)((ctx) => ({ environmentId: ctx.get("envB"), metadata: { name: overFourMiB } }),
    Code.ResourceExhausted,
  ),
];

type UnaryFn = (request: MessageInitShape<DescMessage>, options?: CallOptions) => Promise<MessageShape<DescMessage>>;
type StreamFn = (request: MessageInitShape<DescMessage>, options?: CallOptions) => AsyncIterable<MessageShape<DescMessage>>;

/** Calls the case once; its error, or "succeeded" (a stream: its first read). */
export async function runErrorCase(peer: ProtocolPeer, errorCase: ErrorCase, ctx: ScenarioContext): Promise<ErrorRecord | "succeeded"> {
  const client = createClient(errorCase.method.parent, peer.transport) as unknown as Record<string, unknown>;
  const fn = client[errorCase.method.localName];
  if (typeof fn !== "function") throw new Error(`no client method ${errorCase.method.localName}`);
  const options: CallOptions = { headers: headersOf(errorCase.caller, ctx), timeoutMs: 10_000 };
  try {
    if (errorCase.method.methodKind === "unary") {
      await (fn as UnaryFn)(errorCase.request(ctx), options);
    } else {
      const abort = new AbortController();
      const events = (fn as StreamFn)(errorCase.request(ctx), { ...options, signal: abort.signal })[Symbol.asyncIterator]();
      try {
        await events.next();
      } finally {
        abort.abort();
      }
    }
    return "succeeded";
  } catch (e) {
    return errorRecord(e);
  }
}
