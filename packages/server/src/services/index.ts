// Every service implementation the server mounts: add one line per service.
// Services without an entry here are still mounted; each of their RPCs answers unimplemented.
import type { ServiceImplementation } from "../rpc/define-service.js";
import { environmentAutomationService } from "./environment-automation/index.js";
import { environmentService } from "./environment/index.js";
import { eventService } from "./event/index.js";
import { identityService } from "./identity/index.js";
import { runnerConfigurationService } from "./runner-configuration/index.js";
import { runnerService } from "./runner/index.js";

export const serviceImplementations: readonly ServiceImplementation[] = [
  environmentAutomationService,
  environmentService,
  eventService,
  identityService,
  runnerConfigurationService,
  runnerService,
];
