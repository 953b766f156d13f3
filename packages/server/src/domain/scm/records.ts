// The SCM records: host credentials and SCM integrations of runners (written only through
// credentials.ts, which keeps their uniqueness keys), and the repositories and organizations an
// organization adds to the built-in SCM catalogue (catalogue.ts).
import { clone } from "@bufbuild/protobuf";
import {
  HostAuthenticationTokenSchema,
  SCMIntegrationSchema,
  type HostAuthenticationToken,
  type SCMIntegration,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { plainCollection, type CollectionSpec } from "../../store/store.js";

/**
 * A stored host credential: the API message (metadata only) plus its secret values, encrypted
 * (AES-256-GCM, see domain/secrets/secret-box.ts). The secrets never leave the server.
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

/**
 * Uniqueness keys: `${runnerId}\n${ownerId}\n${host}` (host normalized) → the host token's id. Written
 * and removed in the transaction that writes or removes the token, so "one token per (runner, owner,
 * host)" is the store's own already_exists, and finding a token is one `get`.
 */
export const hostTokenKeys = plainCollection<string>("host_authentication_token_keys", "host authentication token key");

/** Uniqueness keys: `${runnerId}\n${host}` (host normalized) → the SCM integration's id; as hostTokenKeys. */
export const scmIntegrationKeys = plainCollection<string>("scm_integration_keys", "SCM integration key");

/** A pull (merge) request of a catalogue repository. */
export interface ScmPullRequestRecord {
  /** The number, e.g. "1". */
  id: string;
  title: string;
  fromBranch: string;
  toBranch: string;
  author?: string;
  state?: "open" | "closed" | "merged";
  draft?: boolean;
  headSha?: string;
}

/** A repository of the SCM catalogue (see catalogue.ts). */
export interface ScmRepositoryRecord {
  /** e.g. "github.com" (a port is part of the host). */
  host: string;
  /** The user, organization or (GitLab) group path, e.g. "gitpod-io" or "group/subgroup". */
  owner: string;
  name: string;
  /** Private repositories are readable only by `members`; public ones by every authenticated caller. */
  private?: boolean;
  /** Subject ids (users, service accounts) that may read the repository when it is private. */
  members?: string[];
  /** Default "main". */
  defaultBranch?: string;
  /** Default: just the default branch. */
  branches?: string[];
  tags?: string[];
  /** "owner/name" of the repository (same host) this one is a fork of. */
  parent?: string;
  pullRequests?: ScmPullRequestRecord[];
  issues?: { id: string; title: string }[];
}

export const scmRepositories = plainCollection<ScmRepositoryRecord>("scm_repositories", "SCM repository");

/** An organization (group, workspace) of the SCM catalogue. */
export interface ScmOrganizationRecord {
  host: string;
  name: string;
  /** Subject ids that belong to it; absent: every caller authenticated with the host. */
  members?: string[];
}

export const scmOrganizations = plainCollection<ScmOrganizationRecord>("scm_organizations", "SCM organization");
