// RunnerService.
export { runnerService } from "./runner-service.js";
