// The services of the Gitpod v1 API this server mounts, implemented or not.
import type { DescService } from "@bufbuild/protobuf";
import { EnvironmentAutomationService } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { EnvironmentService } from "@gitpod-connect/schema/gitpod/v1/environment";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";

export const gitpodServices: readonly DescService[] = [
  EnvironmentService,
  EnvironmentAutomationService,
  RunnerService,
  RunnerConfigurationService,
];
