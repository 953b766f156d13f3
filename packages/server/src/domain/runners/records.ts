// The records of runners and what RunnerService keeps for them: policies and issued credentials.
import { RunnerSchema, type RunnerRole } from "@gitpod-connect/schema/gitpod/v1/runner";
import { messageCollection, plainCollection } from "../../store/store.js";

/** Runners (gitpod.v1.Runner), keyed by runner_id. */
export const runners = messageCollection("runners", "runner", RunnerSchema);

/** One group's role on a runner (a gitpod.v1.RunnerPolicy), keyed by `${runnerId}/${groupId}`: one policy per group per runner. */
export interface RunnerPolicyRecord {
  runnerId: string;
  groupId: string;
  role: RunnerRole;
}

export const runnerPolicies = plainCollection<RunnerPolicyRecord>("runner_policies", "runner policy");

/**
 * A token issued for a runner (CreateRunner, CreateRunnerToken: "runner"; CreateRunnerLogsToken:
 * "logs"), keyed by the token's SHA-256 hex — for "runner" tokens also their id in the token store.
 * Deleting the runner revokes them all.
 */
export interface RunnerCredentialRecord {
  runnerId: string;
  purpose: "runner" | "logs";
  expiresAtMs: number;
}

export const runnerCredentials = plainCollection<RunnerCredentialRecord>("runner_credentials", "runner credential");
