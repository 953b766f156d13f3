// The records of runners and of the policies RunnerService keeps for them (the credentials issued for
// runners are in runner-credentials.ts).
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
