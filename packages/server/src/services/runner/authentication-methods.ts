// The ways of authenticating with an SCM host that CheckAuthenticationForHost reports:
//
// - OAuth2 when the runner has an SCM integration for the host with an OAuth app (client id); the
//   auth URL is the SCM's authorize endpoint (or the integration's issuer URL) for that app, with
//   the server's OAuth callback as redirect URI.
// - Personal access tokens when the integration allows them (`pat`), or — without an integration —
//   when the SCM system of a well-known host has them. The create URL, example and scopes are
//   per SCM system.
import { create } from "@bufbuild/protobuf";
import {
  CheckAuthenticationForHostResponse_AuthenticationMethodOAuth2Schema as OAuth2Schema,
  CheckAuthenticationForHostResponse_AuthenticationMethodPersonalAccessTokenSchema as PatSchema,
  type CheckAuthenticationForHostResponse_AuthenticationMethodOAuth2 as OAuth2,
  type CheckAuthenticationForHostResponse_AuthenticationMethodPersonalAccessToken as Pat,
} from "@gitpod-connect/schema/gitpod/v1/runner";
import { oauthCallbackUrl } from "../../domain/runners/index.js";
import type { ScmHost } from "./scm-hosts.js";

interface ScmAuthFacts {
  /** Absolute, or a path on the host. */
  authorize: string;
  oauthScopes: string;
  oauthDocs: string;
  /** Absolute, or a path on the host. */
  patCreate: string;
  patExample: string;
  patScopes: string[];
  patDocs: string;
}

const facts: Readonly<Record<string, ScmAuthFacts>> = {
  github: {
    authorize: "/login/oauth/authorize",
    oauthScopes: "repo read:user user:email",
    oauthDocs: "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
    patCreate: "/settings/tokens/new?scopes=repo,read:user,user:email&description=Gitpod",
    patExample: "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    patScopes: ["repo", "read:user", "user:email"],
    patDocs: "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens",
  },
  gitlab: {
    authorize: "/oauth/authorize",
    oauthScopes: "api read_user read_repository",
    oauthDocs: "https://docs.gitlab.com/ee/api/oauth2.html",
    patCreate: "/-/user_settings/personal_access_tokens?name=Gitpod&scopes=api,read_user,read_repository",
    patExample: "glpat-xxxxxxxxxxxxxxxxxxxx",
    patScopes: ["api", "read_user", "read_repository"],
    patDocs: "https://docs.gitlab.com/ee/user/profile/personal_access_tokens.html",
  },
  bitbucket: {
    authorize: "/site/oauth2/authorize",
    oauthScopes: "repository account",
    oauthDocs: "https://developer.atlassian.com/cloud/bitbucket/oauth-2/",
    patCreate: "https://id.atlassian.com/manage-profile/security/api-tokens",
    patExample: "ATATT3xFfGF0T4bD2e1q7sAmPlE",
    patScopes: ["read:repository:bitbucket", "write:repository:bitbucket", "read:user:bitbucket"],
    patDocs: "https://support.atlassian.com/bitbucket-cloud/docs/api-tokens/",
  },
  "azure-devops": {
    authorize: "https://app.vssps.visualstudio.com/oauth2/authorize",
    oauthScopes: "vso.code_write",
    oauthDocs: "https://learn.microsoft.com/en-us/azure/devops/integrate/get-started/authentication/oauth",
    patCreate: "/_usersSettings/tokens",
    patExample: "x3p7dk2lqm4ns8vbwe9rtyu1ioa5sdfg6hjk0zxc2vbn4mqw8ert",
    patScopes: ["vso.code_write"],
    patDocs: "https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate",
  },
};

const genericFacts: ScmAuthFacts = {
  authorize: "/oauth/authorize",
  oauthScopes: "",
  oauthDocs: "",
  patCreate: "/",
  patExample: "",
  patScopes: [],
  patDocs: "",
};

function onHost(base: string, pathOrUrl: string): string {
  return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${base.replace(/\/+$/, "")}${pathOrUrl}`;
}

export interface AuthenticationMethods {
  supportsOauth2?: OAuth2;
  supportsPat?: Pat;
}

/** The ways to authenticate with `scm`'s host. */
export function authenticationMethods(scm: ScmHost): AuthenticationMethods {
  const f = Object.hasOwn(facts, scm.scmId) ? facts[scm.scmId]! : genericFacts;
  const base = `https://${scm.host}`;
  const methods: AuthenticationMethods = {};
  const oauth = scm.integration?.oauth;
  if (oauth && oauth.clientId !== "") {
    const authorize = onHost(oauth.issuerUrl || base, f.authorize);
    const query = new URLSearchParams({ client_id: oauth.clientId, redirect_uri: oauthCallbackUrl, response_type: "code" });
    if (f.oauthScopes !== "") query.set("scope", f.oauthScopes);
    methods.supportsOauth2 = create(OAuth2Schema, { authUrl: `${authorize}?${query.toString()}`, docsUrl: f.oauthDocs || scm.spec?.pat?.docsLink || "" });
  }
  const pat = scm.integration ? scm.integration.pat : scm.spec?.pat !== undefined;
  if (pat) {
    methods.supportsPat = create(PatSchema, {
      createUrl: onHost(base, f.patCreate),
      docsUrl: scm.spec?.pat?.docsLink || f.patDocs,
      example: f.patExample,
      requiredScopes: [...f.patScopes],
    });
  }
  return methods;
}
