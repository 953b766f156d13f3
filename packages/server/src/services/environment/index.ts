// EnvironmentService.
export { environmentService } from "./environment-service.js";
