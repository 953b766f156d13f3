// Test helpers of this folder: extra runners and users put straight into the store (RunnerService
// is not needed for them), raw Connect calls in both encodings for scanning response bytes, and a
// page-walker for List RPCs.
import { create, toBinary, toJson, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { Principal, SubjectSchema } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerPhase, RunnerSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";
import { users } from "../../auth/identity-records.js";
import { runners } from "../../collections.js";
import { http1Request } from "../../test-support/raw-request.js";
import type { TestServer } from "../../test-support/test-server.js";

export interface RunnerOptions {
  organizationId?: string;
  provider?: RunnerProvider;
  kind?: RunnerKind;
  publicKey?: Uint8Array;
  desiredPhase?: RunnerPhase;
  name?: string;
}

/** Adds a runner to the store; returns its id. Default: an AWS EC2 runner of the bootstrap organization. */
export async function addRunner(server: TestServer, options: RunnerOptions = {}): Promise<string> {
  const runnerId = server.deps.ids.newId();
  const now = server.clock.now();
  await server.deps.store.collection(runners).insert({
    id: runnerId,
    organizationId: options.organizationId ?? server.bootstrap.organizationId,
    value: create(RunnerSchema, {
      runnerId,
      name: options.name ?? `runner ${runnerId.slice(-4)}`,
      createdAt: now,
      updatedAt: now,
      kind: options.kind ?? RunnerKind.REMOTE,
      provider: options.provider ?? RunnerProvider.AWS_EC2,
      spec: { desiredPhase: options.desiredPhase ?? RunnerPhase.ACTIVE },
      status: { phase: RunnerPhase.ACTIVE, ...(options.publicKey ? { publicKey: options.publicKey } : {}) },
    }),
  });
  return runnerId;
}

/** Adds a user (with a bearer token) to an organization; returns its id. */
export async function addUser(
  server: TestServer,
  options: { token: string; admin?: boolean; organizationId?: string; name?: string },
): Promise<string> {
  const id = server.deps.ids.newId();
  const organizationId = options.organizationId ?? server.bootstrap.organizationId;
  await server.deps.store.collection(users).insert({
    id,
    organizationId,
    value: { id, name: options.name ?? "user", email: "", admin: options.admin ?? false },
  });
  await server.deps.tokens.register(options.token, { organizationId, subjectId: id, principal: Principal.USER });
  return id;
}

/** A bearer token for a runner principal. */
export async function runnerToken(server: TestServer, runnerId: string, organizationId = server.bootstrap.organizationId): Promise<string> {
  const { token } = await server.deps.tokens.issue({ organizationId, subjectId: runnerId, principal: Principal.RUNNER });
  return token;
}

export const userSubject = (id: string) => create(SubjectSchema, { id, principal: Principal.USER });

type MethodName = keyof typeof RunnerConfigurationService.method;

type RequestInit<M extends MethodName> = MessageInitShape<(typeof RunnerConfigurationService.method)[M]["input"]>;

/**
 * Calls a method once with the Connect JSON and once with the Connect binary encoding, raw over
 * HTTP/1.1, and returns both response bodies (status 200 expected). Give a function for a request
 * that must differ per encoding (e.g. a create with a unique key).
 */
export async function rawBodies<M extends MethodName>(
  server: TestServer,
  method: M,
  request: RequestInit<M> | ((encoding: "json" | "binary") => RequestInit<M>),
  token: string,
): Promise<{ json: string; binary: Buffer }> {
  const desc = RunnerConfigurationService.method[method];
  const input = desc.input as DescMessage;
  const message = (encoding: "json" | "binary") => create(input, (typeof request === "function" ? request(encoding) : request) as never);
  const url = `${server.url}/gitpod.v1.RunnerConfigurationService/${desc.name}`;
  const auth = { authorization: `Bearer ${token}` };
  const json = await http1Request(url, {
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(toJson(input, message("json"))),
  });
  const binary = await http1Request(url, {
    headers: { ...auth, "content-type": "application/proto" },
    body: Buffer.from(toBinary(input, message("binary"))),
  });
  if (json.status !== 200 || binary.status !== 200)
    throw new Error(`${desc.name}: status ${json.status}/${binary.status}: ${json.body.toString()}`);
  return { json: json.body.toString("utf8"), binary: binary.body };
}

/** The forms a leaked secret could take in a response: clear text, base64 and base64url (bytes fields in JSON). */
export function secretForms(secret: string): string[] {
  const b = Buffer.from(secret, "utf8");
  return [secret, b.toString("base64").replace(/=+$/, ""), b.toString("base64url")];
}

/** Whether `secret` (in any of its forms) occurs in a response body. */
export function leaks(body: string | Buffer, secret: string): boolean {
  const text = typeof body === "string" ? body : body.toString("latin1");
  return secretForms(secret).some((form) => text.includes(form)) || (typeof body !== "string" && body.includes(Buffer.from(secret)));
}

/** Walks every page of a List RPC; returns the items and the number of pages. */
export async function allPages<T>(
  fetchPage: (token: string) => Promise<{ items: T[]; nextToken: string }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token = "";
  let pages = 0;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.nextToken;
    pages++;
    if (pages > 1000) throw new Error("too many pages");
  } while (token !== "");
  return { items, pages };
}

/** A page token with one character changed (still base64url-ish), for tamper tests. */
export function tamper(token: string): string {
  const i = Math.floor(token.length / 2);
  return token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
}

/** Expects `call` to fail with `code`, and its message to contain each of `texts`. */
export async function expectFailure(call: Promise<unknown>, code: Code, ...texts: string[]): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!error) throw new Error(`expected ${Code[code]}, but the call succeeded`);
  expect({ code: Code[error.code], message: error.rawMessage }).toMatchObject({ code: Code[code] });
  for (const text of texts) expect(error.rawMessage).toContain(text);
  return error;
}

/** Runs `call` `n` times at once; expects exactly one success and every other call to fail with `loserCode`. */
export async function expectOneWinner(n: number, call: () => Promise<unknown>, loserCode: Code): Promise<void> {
  const results = await Promise.allSettled(Array.from({ length: n }, call));
  expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  const codes = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => ConnectError.from(r.reason).code);
  expect(codes.map((c) => Code[c])).toEqual(Array(n - 1).fill(Code[loserCode]));
}
