// GetAuthenticatedIdentity: who the call's credentials stand for — a user, a runner, an environment
// (access token), a service account — and the organization it acts in. No tier is modelled here.
import { clone } from "@bufbuild/protobuf";
import { IdentityService, SubjectSchema } from "@gitpod-connect/schema/gitpod/v1/identity";
import { callerOf, defineHandlers } from "../../rpc/index.js";

export const getAuthenticatedIdentity = defineHandlers(IdentityService, () => ({
  getAuthenticatedIdentity(_req, ctx) {
    const caller = callerOf(ctx);
    return { subject: clone(SubjectSchema, caller.subject), organizationId: caller.organizationId, organizationTier: "" };
  },
}));
