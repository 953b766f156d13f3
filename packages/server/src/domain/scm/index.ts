// Source control as the server models it: host names, the host credentials and SCM integrations of
// runners (always written through credentials.ts, which keeps their uniqueness keys), the SCM
// catalogue that stands in for the SCM hosts, and context URLs.
export {
  hostAuthenticationTokens,
  scmIntegrations,
  scmRepositories,
  scmOrganizations,
  type HostTokenRecord,
  type ScmIntegrationRecord,
  type ScmPullRequestRecord,
  type ScmRepositoryRecord,
  type ScmOrganizationRecord,
} from "./records.js";
export * from "./host-name.js";
export * from "./credentials.js";
export * from "./catalogue.js";
export * from "./context-url.js";
export { naturalCompare } from "./natural-order.js";
