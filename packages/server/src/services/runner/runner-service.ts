// gitpod.v1.RunnerService: all 16 RPCs, from the handler groups of this folder.
//   runners.ts             CreateRunner, GetRunner, ListRunners, UpdateRunner, DeleteRunner
//   runner-tokens.ts       CreateRunnerToken, CreateRunnerLogsToken
//   runner-policies.ts     Create/List/Update/DeleteRunnerPolicy
//   parse-context-url.ts   ParseContextURL
//   scm-access.ts          CheckAuthenticationForHost, CheckRepositoryAccess
//   repository-search.ts   SearchRepositories
//   scm-organizations.ts   ListSCMOrganizations
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { defineService } from "../../rpc/index.js";
import { parseContextUrlHandlers } from "./parse-context-url.js";
import { repositorySearchHandlers } from "./repository-search.js";
import { runnerPolicyHandlers } from "./runner-policies.js";
import { runnerTokenHandlers } from "./runner-tokens.js";
import { runnerHandlers } from "./runners.js";
import { scmAccessHandlers } from "./scm-access.js";
import { scmOrganizationHandlers } from "./scm-organizations.js";

export const runnerService = defineService(RunnerService, (deps) => ({
  ...runnerHandlers(deps),
  ...runnerTokenHandlers(deps),
  ...runnerPolicyHandlers(deps),
  ...parseContextUrlHandlers(deps),
  ...scmAccessHandlers(deps),
  ...repositorySearchHandlers(deps),
  ...scmOrganizationHandlers(deps),
}));
