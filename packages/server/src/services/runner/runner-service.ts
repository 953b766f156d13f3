// gitpod.v1.RunnerService: all 16 RPCs, each in the file of its name (GetRunner: get-runner.ts).
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { defineService } from "../../rpc/index.js";
import { checkAuthenticationForHost } from "./check-authentication-for-host.js";
import { checkRepositoryAccess } from "./check-repository-access.js";
import { createRunnerLogsToken } from "./create-runner-logs-token.js";
import { createRunnerPolicy } from "./create-runner-policy.js";
import { createRunnerToken } from "./create-runner-token.js";
import { createRunner } from "./create-runner.js";
import { deleteRunnerPolicy } from "./delete-runner-policy.js";
import { deleteRunner } from "./delete-runner.js";
import { getRunner } from "./get-runner.js";
import { listRunnerPolicies } from "./list-runner-policies.js";
import { listRunners } from "./list-runners.js";
import { listSCMOrganizations } from "./list-scm-organizations.js";
import { parseContextURL } from "./parse-context-url.js";
import { searchRepositories } from "./search-repositories.js";
import { updateRunnerPolicy } from "./update-runner-policy.js";
import { updateRunner } from "./update-runner.js";

export const runnerService = defineService(
  RunnerService,
  createRunner,
  getRunner,
  listRunners,
  updateRunner,
  deleteRunner,
  createRunnerToken,
  createRunnerLogsToken,
  parseContextURL,
  searchRepositories,
  listSCMOrganizations,
  checkAuthenticationForHost,
  checkRepositoryAccess,
  listRunnerPolicies,
  createRunnerPolicy,
  updateRunnerPolicy,
  deleteRunnerPolicy,
);
