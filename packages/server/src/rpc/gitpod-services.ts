// The services of the Gitpod v1 API this server mounts, implemented or not: the four documented
// ones and the two the current official SDK relies on (EventService, IdentityService).
import type { DescService } from "@bufbuild/protobuf";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { EventService } from "@gitpod-connect/schema/gitpod/v1/event";
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";

export const gitpodServices: readonly DescService[] = [
  EnvironmentService,
  EnvironmentAutomationService,
  RunnerService,
  RunnerConfigurationService,
  EventService,
  IdentityService,
];
