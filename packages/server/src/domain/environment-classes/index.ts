// Environment classes: the record, and what makes a proposed class acceptable for its runner.
export { environmentClasses } from "./records.js";
export * from "./environment-class-rules.js";
export type { ConfigurationEntry, ConfigurationProblem } from "./configuration-validation.js";
export { canCreateEnvironments, listEnvironmentClasses } from "./environment-class-listing.js";
