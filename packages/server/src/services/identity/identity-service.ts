// gitpod.v1.IdentityService: GetAuthenticatedIdentity.
import { IdentityService } from "@gitpod-connect/schema/gitpod/v1/identity";
import { defineService } from "../../rpc/index.js";
import { getAuthenticatedIdentity } from "./get-authenticated-identity.js";

export const identityService = defineService(IdentityService, getAuthenticatedIdentity);
