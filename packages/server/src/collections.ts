// The resource collections services share. Define a collection once here, then use it from any
// handler with `deps.store.collection(runners)`. Records carry the owning organization.
//
// Host authentication tokens and SCM integrations (owned by RunnerConfigurationService) are read by
// RunnerService too (CheckAuthenticationForHost, CheckRepositoryAccess, SearchRepositories,
// ListSCMOrganizations): use `findHostToken` and `findScmIntegration` from
// `services/runner-configuration/scm-credentials.ts` rather than scanning these collections.
import { EnvironmentClassSchema } from "@gitpod-connect/schema/gitpod/v1/environment_class";
import { RunnerSchema } from "@gitpod-connect/schema/gitpod/v1/runner";
import {
  HostAuthenticationTokenSchema,
  SCMIntegrationSchema,
  type HostAuthenticationToken,
  type SCMIntegration,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { clone } from "@bufbuild/protobuf";
import { messageCollection, type CollectionSpec } from "./store/store.js";

/** Runners (gitpod.v1.Runner), keyed by runner_id. */
export const runners = messageCollection("runners", "runner", RunnerSchema);

/** Environment classes (gitpod.v1.EnvironmentClass), keyed by id; each names its runner in runner_id. */
export const environmentClasses = messageCollection("environment_classes", "environment class", EnvironmentClassSchema);

/**
 * A stored host credential: the API message (metadata only) plus its secret values, encrypted
 * (AES-256-GCM, see services/runner-configuration/secret-box.ts). The secrets never leave the server.
 */
export interface HostTokenRecord {
  token: HostAuthenticationToken;
  encryptedValue: Uint8Array;
  encryptedRefreshToken?: Uint8Array;
}

/** Host authentication tokens, keyed by token.id; at most one per (runner, owner subject, host). */
export const hostAuthenticationTokens: CollectionSpec<HostTokenRecord> = {
  name: "host_authentication_tokens",
  kind: "host authentication token",
  copy: (r) => ({
    token: clone(HostAuthenticationTokenSchema, r.token),
    encryptedValue: r.encryptedValue.slice(),
    ...(r.encryptedRefreshToken ? { encryptedRefreshToken: r.encryptedRefreshToken.slice() } : {}),
  }),
};

/**
 * A stored SCM integration: the API message (whose oauth.encrypted_client_secret holds the
 * ciphertext of the client secret, never the plaintext).
 */
export interface ScmIntegrationRecord {
  integration: SCMIntegration;
}

/** SCM integrations, keyed by integration.id; at most one per (runner, host). */
export const scmIntegrations: CollectionSpec<ScmIntegrationRecord> = {
  name: "scm_integrations",
  kind: "SCM integration",
  copy: (r) => ({ integration: clone(SCMIntegrationSchema, r.integration) }),
};
