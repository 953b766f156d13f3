// RunnerService: the service, and what embedders may use (the SCM catalogue).
export { runnerService } from "./runner-service.js";
export { addScmOrganization, addScmRepository } from "./scm-catalogue.js";
export type { ScmOrganizationRecord, ScmPullRequestRecord, ScmRepositoryRecord } from "../../collections.js";
