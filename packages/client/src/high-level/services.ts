// One typed connect-es client per service of the schema, all on the client's transport.
import type { Transport } from "@connectrpc/connect";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EventService } from "@gitpod-connect/schema/gitpod/v1/event";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { createServiceClient, type ServiceClient } from "../transport/service-client.js";

export interface Services {
  environment: ServiceClient<typeof EnvironmentService>;
  automation: ServiceClient<typeof EnvironmentAutomationService>;
  runner: ServiceClient<typeof RunnerService>;
  runnerConfiguration: ServiceClient<typeof RunnerConfigurationService>;
  event: ServiceClient<typeof EventService>;
  identity: ServiceClient<typeof IdentityService>;
}

export function createServices(transport: Transport): Services {
  return {
    environment: createServiceClient(EnvironmentService, transport),
    automation: createServiceClient(EnvironmentAutomationService, transport),
    runner: createServiceClient(RunnerService, transport),
    runnerConfiguration: createServiceClient(RunnerConfigurationService, transport),
    event: createServiceClient(EventService, transport),
    identity: createServiceClient(IdentityService, transport),
  };
}
