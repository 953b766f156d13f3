// What a principal may call at all, decided once for every RPC before its handler runs. Users and
// service accounts may call everything; the handlers decide the rest. Two principals are narrower:
//
// - an environment (an environment access token) acts only on itself: reading itself, reporting
//   activity, and its own automations (the lookups keep it to its own environment);
// - both may ask who they are (IdentityService) and watch the events they may see (EventService);
// - a runner reads the environments that run on it and their automations, and nothing else of
//   EnvironmentService or EnvironmentAutomationService (RunnerService and RunnerConfigurationService
//   check runner callers in their handlers).
// Anything else is permission_denied, naming the RPC.
import { Principal } from "@gitpod-connect/schema/gitpod/v1/identity";
import type { Interceptor } from "@connectrpc/connect";
import { callerKey } from "../../auth/caller.js";
import { permissionDenied } from "../../errors.js";

type Rule = (service: string, method: string) => boolean;

const reads = (method: string) => /^(Get|List)/.test(method);
/** Every principal may ask who it is and watch the events it may see (the event filter narrows them). */
const anyone = (service: string) => service === "gitpod.v1.IdentityService" || service === "gitpod.v1.EventService";

const rules: Partial<Record<Principal, { rule: Rule; what: string }>> = {
  [Principal.ENVIRONMENT]: {
    what: "an environment token may only read its environment, mark it active and manage its automations",
    rule: (service, method) =>
      anyone(service) ||
      service === "gitpod.v1.EnvironmentAutomationService" ||
      (service === "gitpod.v1.EnvironmentService" && ["GetEnvironment", "ListEnvironments", "MarkEnvironmentActive"].includes(method)),
  },
  [Principal.RUNNER]: {
    what: "a runner may only read the environments that run on it and their automations",
    rule: (service, method) =>
      anyone(service) ||
      service === "gitpod.v1.RunnerService" ||
      service === "gitpod.v1.RunnerConfigurationService" ||
      ((service === "gitpod.v1.EnvironmentService" || service === "gitpod.v1.EnvironmentAutomationService") && reads(method)) ||
      // The runner's proxy asks whether a port of an environment it hosts may be reached.
      (service === "gitpod.v1.EnvironmentService" && method === "AllowPortAccess"),
  },
};

export function principalScopeInterceptor(): Interceptor {
  return (next) => async (req) => {
    const caller = req.contextValues.get(callerKey);
    const scope = caller && rules[caller.subject.principal];
    if (scope && !scope.rule(req.service.typeName, req.method.name)) {
      throw permissionDenied(`${req.method.name}: ${scope.what}`);
    }
    return next(req);
  };
}
