// RunnerService: the service, and what other code may use (logs tokens, the SCM catalogue).
export { runnerService } from "./runner-service.js";
export { resolveLogsToken, logsTokenTtlMs, runnerTokenTtlMs } from "./runner-credentials.js";
export { addScmOrganization, addScmRepository, fixtureOrganizations, fixtureRepositories } from "./scm-catalogue.js";
export type { ScmOrganizationRecord, ScmPullRequestRecord, ScmRepositoryRecord } from "../../collections.js";
