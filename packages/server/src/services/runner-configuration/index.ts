// RunnerConfigurationService and what other services share with it.
export { runnerConfigurationService } from "./runner-configuration-service.js";
export {
  deleteHostTokensWhere,
  deleteScmIntegrationsWhere,
  findHostToken,
  findScmIntegration,
  tokenOwnerId,
  type HostQuery,
} from "./scm-credentials.js";
export { normalizeHost } from "./host-name.js";
