// Runner policies: which group holds which role on a runner, one policy per (runner, group). The
// server has no groups of its own, so any group id (a UUID) is accepted, and policies are recorded
// and listed but not enforced. Shared by Create/List/Update/DeleteRunnerPolicy.
import { create } from "@bufbuild/protobuf";
import { RunnerPolicySchema, RunnerRole, RunnerRoleSchema, type RunnerPolicy } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { RunnerPolicyRecord } from "../../domain/runners/index.js";
import { invalidArgument, notFound } from "../../rpc/index.js";
import { assertDefined } from "./enum-values.js";

export const kind = "runner policy";

export const policyId = (runnerId: string, groupId: string) => `${runnerId}/${groupId}`;
export const policyNotFound = (runnerId: string, groupId: string) => notFound(`${kind} on runner ${JSON.stringify(runnerId)} for group`, groupId);

export function checkRole(role: RunnerRole): void {
  assertDefined(RunnerRoleSchema, role, "role");
  if (role === RunnerRole.UNSPECIFIED) throw invalidArgument("role", "must be RUNNER_ROLE_ADMIN or RUNNER_ROLE_USER");
}

export const toPolicy = (r: RunnerPolicyRecord): RunnerPolicy => create(RunnerPolicySchema, { groupId: r.groupId, role: r.role });
