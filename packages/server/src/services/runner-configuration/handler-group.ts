// The type of one group of RunnerConfigurationService handlers (environment classes, host tokens,
// SCM integrations, schema and validation); runner-configuration-service.ts joins the groups.
import type { ServiceImpl } from "@connectrpc/connect";
import type { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import type { HandlerDeps } from "../../handler-deps.js";

export type HandlerGroup = (deps: HandlerDeps) => Partial<ServiceImpl<typeof RunnerConfigurationService>>;
