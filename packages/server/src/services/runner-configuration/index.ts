// RunnerConfigurationService.
export { runnerConfigurationService } from "./runner-configuration-service.js";
