// Test fixtures every service's tests share: runners, users and tokens put straight into the
// store of a test server (no service implementation needed for them).
import { create } from "@bufbuild/protobuf";
import { Principal, SubjectSchema } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerPhase, RunnerSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerKind, RunnerProvider } from "@gitpod-connect/schema/gitpod/v1/runner_kind";
import { users } from "../auth/identity-records.js";
import { runners } from "../domain/runners/index.js";
import type { TestServer } from "./test-server.js";

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
