// What the scenarios of RunnerService, RunnerConfigurationService, EventService and
// IdentityService share: a scenario factory per service, a runner of the scenario's own (deleted
// with force when it ends), host tokens that authenticate the caller with a host through that
// runner, a page walker that checks every page it reads, and the documented absence of secrets in
// a response (binary and JSON encodings, base64 included).
import assert from "node:assert/strict";
import { toBinary, toJsonString, type DescMessage, type DescService, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { IdentityService, type Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerService, type CreateRunnerRequestSchema, type Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import { HostAuthenticationTokenSource, RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { expectCode } from "../expect.js";
import { ScenarioFailure, type Scenario, type ScenarioContext } from "../scenario.js";

import { uuidPattern, type DefineScenario, type ScenarioOptions } from "../scenario-factory.js";
export { scenarioFactory, uuidPattern, type ScenarioOptions } from "../scenario-factory.js";

/** The scenarios every RPC gets: no token, and (where `wrongToken`) a token the target never issued, are unauthenticated. */
export function unauthenticatedScenarios<S extends DescService>(
  define: DefineScenario,
  service: S,
  rpc: string,
  call: (client: Client<S>, ctx: ScenarioContext) => Promise<unknown>,
  options: { wrongToken?: boolean } = {},
): Scenario[] {
  const scenarios = [
    define(rpc, "unauthenticated-without-token", "a call without a bearer token is unauthenticated", async (ctx) => {
      await expectCode(call(ctx.clientWithToken(service, undefined), ctx), Code.Unauthenticated);
    }),
  ];
  if (options.wrongToken)
    scenarios.push(
      define(rpc, "unauthenticated-with-wrong-token", "a call with a token the target never issued is unauthenticated", async (ctx) => {
        await expectCode(call(ctx.clientWithToken(service, `conformance-not-a-token-${newId()}`), ctx), Code.Unauthenticated);
      }),
    );
  return scenarios;
}

/** A fresh UUID that names nothing on any target. */
export const newId = (): string => globalThis.crypto.randomUUID();


/** Awaits `call`, accepting not_found (what a cleanup of something already gone gets). */
export async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (ConnectError.from(error).code !== Code.NotFound) throw error;
  }
}

/** The second organization's side of an isolation scenario (declared with `needs: ["second-organization"]`). */
export function otherOrganization(ctx: ScenarioContext): NonNullable<ScenarioContext["otherOrganization"]> {
  if (!ctx.otherOrganization) throw new ScenarioFailure("the kit gave no second organization to a scenario that needs one");
  return ctx.otherOrganization;
}

export const isolation: ScenarioOptions = { needs: ["second-organization"] };

export interface TestRunner {
  readonly runnerId: string;
  readonly runner: Runner;
  /** The runner's own bearer token (CreateRunner's exchange_token). */
  readonly exchangeToken: string;
}

/**
 * A runner of this scenario (AWS EC2 unless `init` says otherwise), removed with `force` when the
 * scenario ends — with it go its environment classes, SCM integrations, host tokens, policies and
 * LLM integrations (DeleteRunner's documented transaction).
 */
export async function createTestRunner(ctx: ScenarioContext, init: MessageInitShape<typeof CreateRunnerRequestSchema> = {}): Promise<TestRunner> {
  const runners = ctx.client(RunnerService);
  const response = await runners.createRunner({ name: ctx.uniqueName("conformance runner"), provider: RunnerProvider.AWS_EC2, ...init });
  const runner = response.runner;
  assert.ok(runner, "CreateRunner answered no runner");
  ctx.cleanup(() => ignoreNotFound(runners.deleteRunner({ runnerId: runner.runnerId, force: true })));
  return { runnerId: runner.runnerId, runner, exchangeToken: response.exchangeToken };
}

/** The calling subject (GetAuthenticatedIdentity). */
export async function callerSubject(ctx: ScenarioContext): Promise<{ id: string; principal: Principal }> {
  const { subject } = await ctx.client(IdentityService).getAuthenticatedIdentity({});
  assert.ok(subject, "GetAuthenticatedIdentity answered no subject");
  return { id: subject.id, principal: subject.principal };
}

/** Gives the caller a PAT host token for (runner, host): the caller is then authenticated with the host through the runner. */
export async function authenticateWithHost(ctx: ScenarioContext, runnerId: string, host: string): Promise<string> {
  const { token } = await ctx.client(RunnerConfigurationService).createHostAuthenticationToken({
    runnerId,
    host,
    token: `ghp_conformance_${newId().replace(/-/g, "")}`,
    source: HostAuthenticationTokenSource.PAT,
  });
  assert.ok(token, "CreateHostAuthenticationToken answered no token");
  return token.id;
}

/** A machine shape every provider schema accepts (cpu and memory are required everywhere). */
export const smallShape = () => [
  { key: "cpu", value: "2" },
  { key: "memory", value: "8" },
];

/** Creates an environment class on `runnerId`; returns its id. */
export async function createEnvironmentClass(ctx: ScenarioContext, runnerId: string, displayName = ctx.uniqueName("Class")): Promise<string> {
  const { id } = await ctx.client(RunnerConfigurationService).createEnvironmentClass({
    runnerId,
    displayName,
    description: "made by a conformance scenario",
    configuration: smallShape(),
  });
  assert.match(id, uuidPattern, "CreateEnvironmentClass answered no id");
  return id;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken: string;
}

/**
 * Reads every page (`read(token)` from "" on) until next_token is empty: no page holds more than
 * `pageSize` items, no page token repeats. Returns the items in order and the number of pages.
 */
export async function walkPages<T>(what: string, pageSize: number, read: (token: string) => Promise<Page<T>>, maxPages = 2000): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  const tokens = new Set<string>();
  let token = "";
  for (let pages = 1; ; pages++) {
    const page = await read(token);
    if (page.items.length > pageSize) throw new ScenarioFailure(`${what}: page ${pages} holds ${page.items.length} items, more than page_size ${pageSize}`);
    items.push(...page.items);
    if (page.nextToken === "") return { items, pages };
    if (tokens.has(page.nextToken)) throw new ScenarioFailure(`${what}: page ${pages} repeats an earlier next_token`);
    if (pages >= maxPages) throw new ScenarioFailure(`${what}: still a next_token after ${maxPages} pages`);
    tokens.add(page.nextToken);
    token = page.nextToken;
  }
}

/** The ids must be unique (a page walk shows nothing twice). */
export function assertNoDuplicates(what: string, ids: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new ScenarioFailure(`${what}: ${id} is listed twice`);
    seen.add(id);
  }
}

/** `listed` keeps exactly `expected` of the ids we created, in that order (the others are other scenarios'). */
export function assertOursInOrder(what: string, listed: readonly string[], expected: readonly string[]): void {
  const ours = new Set(expected);
  assert.deepEqual(
    listed.filter((id) => ours.has(id)),
    [...expected],
    `${what}: the resources this scenario created, in creation order, each once`,
  );
}

/**
 * A tampered page token: one character in the middle changed. (Not the last: in base64 the last
 * character may carry only padding bits, so changing it can leave the decoded token as it was.)
 */
export function tamper(token: string): string {
  const at = Math.floor(token.length / 2);
  const replacement = token[at] === "A" ? "B" : "A";
  return token.slice(0, at) + replacement + token.slice(at + 1);
}

const encoder = new TextEncoder();

function includesBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * The message, in its binary encoding (unknown fields included: what a binary protocol delivered)
 * and its JSON encoding, holds none of `secrets` — neither as text nor as base64.
 */
export function assertNoSecrets<D extends DescMessage>(what: string, schema: D, message: MessageShape<D>, secrets: readonly string[]): void {
  const binary = toBinary(schema, message);
  const json = toJsonString(schema, message);
  for (const secret of secrets) {
    const bytes = encoder.encode(secret);
    const base64 = Buffer.from(secret).toString("base64").replace(/=+$/, "");
    if (includesBytes(binary, bytes) || json.includes(secret) || json.includes(base64))
      throw new ScenarioFailure(`${what} returns a secret it must never return (${secret.slice(0, 12)}…)`);
  }
}

/** A short wait (real time), e.g. so that a timestamp set by the next write must be later. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
