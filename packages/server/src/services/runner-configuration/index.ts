// RunnerConfigurationService and what other services share with it.
export { runnerConfigurationService } from "./runner-configuration-service.js";
export { findHostToken, findScmIntegration, hasScmIntegration, tokenOwnerId, type HostQuery } from "./scm-credentials.js";
export { openSecret } from "./secret-box.js";
export { normalizeHost } from "./host-name.js";
