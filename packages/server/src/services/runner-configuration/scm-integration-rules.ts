// What makes an SCM integration acceptable for a runner: a scm_id of the runner's schema, a host
// name, consistent OAuth settings (client ID and secret together, an issuer URL only with OAuth),
// a virtual directory only for Azure DevOps, and at least one way to authenticate. Create/Update
// turn the first problem into invalid_argument naming the request field; ValidateRunnerConfiguration
// reports them grouped as scm_id / host / oauth / pat errors.
import { create } from "@bufbuild/protobuf";
import type { Runner } from "@gitpod-connect/schema/gitpod/v1/runner";
import {
  SCMIntegrationValidationResultSchema,
  type SCMIntegrationValidationResult,
} from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { invalidArgument } from "../../errors.js";
import { schemaOf } from "../../domain/runners/index.js";
import { hostNameProblem } from "../../domain/scm/index.js";
import { encryptedSecretProblem } from "../../domain/secrets/index.js";

/**
 * The client secret of a proposal: new in clear text, encrypted by the client (checked), the one
 * already stored for the integration (trusted), or none.
 */
export type SecretProposal = { plaintext: string } | { encrypted: Uint8Array } | { stored: Uint8Array } | undefined;

export interface ScmProposal {
  scmId: string;
  host: string;
  /** Empty or absent: no OAuth. */
  oauthClientId?: string;
  oauthClientSecret?: SecretProposal;
  pat: boolean;
  issuerUrl?: string;
  virtualDirectory?: string;
}

export type ScmProblemGroup = "scmId" | "host" | "oauth" | "pat";

export interface ScmProblem {
  group: ScmProblemGroup;
  /** The create/update request field, e.g. `oauth_plaintext_client_secret`. */
  field: string;
  error: string;
}

function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${JSON.stringify(value)} is not a URL`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http or https URL";
  return undefined;
}

export function scmProblems(runner: Runner, p: ScmProposal): ScmProblem[] {
  const problems: ScmProblem[] = [];
  const add = (group: ScmProblemGroup, field: string, error: string) => problems.push({ group, field, error });
  const supported = schemaOf(runner).scm;
  const scm = supported.find((s) => s.scmId === p.scmId);
  if (p.scmId === "") add("scmId", "scm_id", "must not be empty");
  else if (!scm) add("scmId", "scm_id", `unknown SCM ${JSON.stringify(p.scmId)}; this runner supports ${supported.map((s) => JSON.stringify(s.scmId)).join(", ")}`);

  const hostProblem = hostNameProblem(p.host);
  if (hostProblem) add("host", "host", hostProblem);

  if (p.virtualDirectory) {
    if (scm && !scm.virtualDirectory) add("host", "virtual_directory", `a virtual directory only applies to Azure DevOps Server, not to ${scm.name}`);
    else if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(p.virtualDirectory))
      add("host", "virtual_directory", `must be a path such as "/tfs", got ${JSON.stringify(p.virtualDirectory)}`);
  }

  const oauth = !!p.oauthClientId;
  const secret = p.oauthClientSecret;
  if (oauth) {
    if (scm && !scm.oauth) add("oauth", "oauth_client_id", `${scm.name} does not support OAuth on this runner`);
    if (/\s/.test(p.oauthClientId!) || p.oauthClientId!.length > 255)
      add("oauth", "oauth_client_id", "must be at most 255 characters without white space");
    if (!secret || ("plaintext" in secret && secret.plaintext === ""))
      add("oauth", "oauth_plaintext_client_secret", "a client secret is required together with a client ID");
    else if ("encrypted" in secret) {
      const problem = encryptedSecretProblem(runner, secret.encrypted);
      if (problem) add("oauth", "oauth_encrypted_client_secret", problem);
    }
    if (p.issuerUrl) {
      const problem = urlProblem(p.issuerUrl);
      if (problem) add("oauth", "issuer_url", problem);
    }
  } else {
    if (secret && !("plaintext" in secret && secret.plaintext === ""))
      add("oauth", "oauth_client_id", "a client ID is required together with a client secret");
    if (p.issuerUrl) add("oauth", "issuer_url", "an issuer URL only applies to OAuth: set oauth_client_id too");
  }

  if (p.pat && scm && !scm.pat) add("pat", "pat", `${scm.name} does not support personal access tokens on this runner`);
  if (!p.pat && !oauth) add("pat", "pat", "an integration needs a way to authenticate: enable personal access tokens or configure OAuth");
  return problems;
}

/** Throws invalid_argument naming the first problem's field; returns when there is none. */
export function assertNoScmProblems(problems: readonly ScmProblem[]): void {
  const first = problems[0];
  if (first) throw invalidArgument(first.field, first.error);
}

/** The ValidateRunnerConfiguration result: the first problem of each group. */
export function scmValidationResult(problems: readonly ScmProblem[]): SCMIntegrationValidationResult {
  const first = (group: ScmProblemGroup) => {
    const p = problems.find((x) => x.group === group);
    return p ? `${p.field}: ${p.error}` : undefined;
  };
  const scmIdError = first("scmId");
  const hostError = first("host");
  const oauthError = first("oauth");
  const patError = first("pat");
  return create(SCMIntegrationValidationResultSchema, {
    valid: problems.length === 0,
    ...(scmIdError ? { scmIdError } : {}),
    ...(hostError ? { hostError } : {}),
    ...(oauthError ? { oauthError } : {}),
    ...(patError ? { patError } : {}),
  });
}
