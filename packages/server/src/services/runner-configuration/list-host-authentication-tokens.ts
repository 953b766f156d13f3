// ListHostAuthenticationTokens: the host tokens the caller may see, filtered by runner and owner,
// without their values.
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { callerOf, defineHandlers, paginate } from "../../rpc/index.js";
import { hostAuthenticationTokens, tokenOwnerId } from "../../domain/scm/index.js";
import { isOrganizationAdmin } from "../../auth/organization-admin.js";
import { canSeeToken } from "./host-token-access.js";

export const listHostAuthenticationTokens = defineHandlers(RunnerConfigurationService, (deps) => ({
  async listHostAuthenticationTokens(req, ctx) {
    const caller = callerOf(ctx);
    const admin = await isOrganizationAdmin(deps.store, caller);
    const f = req.filter;
    const page = await paginate(deps.pageTokens, {
      collection: deps.store.collection(hostAuthenticationTokens),
      organizationId: caller.organizationId,
      pagination: req.pagination,
      filter: f,
      where: ({ token }) =>
        canSeeToken(caller, admin, token) &&
        (f?.runnerId === undefined || token.runnerId === f.runnerId) &&
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- old clients filter by user_id
        (f?.userId === undefined || tokenOwnerId(token) === f.userId) &&
        (f?.subjectId === undefined || tokenOwnerId(token) === f.subjectId),
    });
    return { tokens: page.values.map((r) => r.token), pagination: page.pagination };
  },
}));
