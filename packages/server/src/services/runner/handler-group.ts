// The type of one group of RunnerService handlers (runners, runner tokens, runner policies, SCM);
// runner-service.ts joins the groups into the service.
import type { ServiceImpl } from "@connectrpc/connect";
import type { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import type { HandlerDeps } from "../../handler-deps.js";

export type HandlerGroup = (deps: HandlerDeps) => Partial<ServiceImpl<typeof RunnerService>>;
