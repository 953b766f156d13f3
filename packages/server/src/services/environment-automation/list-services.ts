// ListServices: the services the caller may see, in creation order, filtered by environment,
// reference, id and role (each list: any of; the lists: all of).
import { EnvironmentAutomationService, ServiceRole } from "@gitpod-connect/schema/gitpod/v1/environment_automation";
import { isInScope, servicePlacement, services } from "../../domain/automations/index.js";
import { environmentScopeOf } from "../../domain/environments/index.js";
import { callerOf, defineHandlers, paginate } from "../../rpc/index.js";

const anyOf = <T>(wanted: readonly T[], value: T) => wanted.length === 0 || wanted.includes(value);

export const listServices = defineHandlers(EnvironmentAutomationService, (deps) => ({
  async listServices(req, ctx) {
    const caller = callerOf(ctx);
    const scope = environmentScopeOf(caller);
    const f = req.filter;
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(services),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: { filter: f, scope },
      where: (r) =>
        isInScope(scope, servicePlacement(r)) &&
        anyOf(f?.environmentIds ?? [], r.service.environmentId) &&
        anyOf(f?.references ?? [], r.service.metadata?.reference ?? "") &&
        anyOf(f?.serviceIds ?? [], r.service.id) &&
        anyOf<ServiceRole>(f?.roles ?? [], r.service.metadata?.role ?? ServiceRole.UNSPECIFIED),
      readOnly: true,
    });
    return { services: page.values.map((r) => r.service), pagination: page.pagination };
  },
}));
