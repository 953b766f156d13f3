// EnvironmentAutomationService.
export { environmentAutomationService } from "./environment-automation-service.js";
