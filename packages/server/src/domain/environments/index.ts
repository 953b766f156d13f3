// Environments: the records (and projects), finding the environment a call names and who may see
// it, where it stands, the state machine its runner drives, creating, updating and listing them,
// and the tokens issued for them.
export {
  environments,
  projects,
  environmentLogs,
  type EnvironmentRecord,
  type ProjectRecord,
  type EnvironmentLogRecord,
} from "./records.js";
export * from "./environment-lookup.js";
export * from "./environment-phases.js";
export { stepEnvironment, type LifecyclePoint, type EnvironmentFailureStep, type StepContext, type StepResult } from "./environment-lifecycle.js";
export { contentSourceOf, type ContentSource } from "./content-source.js";
export { createEnvironment, assertSpecConsistent, type NewEnvironment } from "./environment-creation.js";
export { applyEnvironmentUpdate, type UpdateContext } from "./environment-update.js";
export { environmentMatcher, countLimit, type FilterContext } from "./environment-listing.js";
export * from "./environment-credentials.js";
export { archive, unarchive } from "./environment-archival.js";
export { addProject, findProject, type ProjectInput } from "./project-lookup.js";
export { admits, issuePortAccessToken, portAdmission, portIsOpen, resolvePortAccessToken, sharedPort, type PortVisitor } from "./port-access.js";
