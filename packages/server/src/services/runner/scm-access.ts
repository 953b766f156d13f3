// CheckAuthenticationForHost and CheckRepositoryAccess: answered from the caller's host tokens,
// the runner's SCM integrations and the SCM catalogue — never from a real SCM.
import { callerOf } from "../../rpc/index.js";
import { assertHostName, canRead, findRepository } from "../../domain/scm/index.js";
import { authenticationMethods } from "./authentication-methods.js";
import { locateArgument, parseArgument } from "./context-url-argument.js";
import type { HandlerGroup } from "./handler-group.js";
import { isAuthenticatedWithHost, requireHostAuthentication } from "./host-credentials.js";
import { findUsableRunner } from "../../domain/runners/index.js";
import { requireScmHost } from "./scm-hosts.js";

export const scmAccessHandlers: HandlerGroup = (deps) => ({
  async checkAuthenticationForHost(req, ctx) {
    const caller = callerOf(ctx);
    assertHostName(req.host, "host");
    const nowMs = deps.clock.nowMs();
    const runner = await findUsableRunner(deps.store, nowMs, caller, req.runnerId, "check authentication through it");
    const scm = await requireScmHost(deps.store, caller.organizationId, runner, req.host);
    const authenticated = await isAuthenticatedWithHost(deps.store, nowMs, {
      organizationId: caller.organizationId,
      runnerId: runner.runnerId,
      host: scm.host,
      userId: caller.subject.id,
    });
    const methods = authenticationMethods(scm);
    return {
      authenticated,
      scmId: scm.scmId,
      scmName: scm.name,
      ...methods,
      authenticationUrl: methods.supportsOauth2?.authUrl ?? "",
      patSupported: methods.supportsPat !== undefined,
    };
  },

  async checkRepositoryAccess(req, ctx) {
    const caller = callerOf(ctx);
    const { host } = locateArgument(req.repositoryUrl, "repository_url");
    const nowMs = deps.clock.nowMs();
    const runner = await findUsableRunner(deps.store, nowMs, caller, req.runnerId, "check repository access through it");
    const scm = await requireScmHost(deps.store, caller.organizationId, runner, host);
    const { owner, repo } = parseArgument(req.repositoryUrl, scm, "repository_url");
    await requireHostAuthentication(deps.store, nowMs, { organizationId: caller.organizationId, runnerId: runner.runnerId, host, userId: caller.subject.id });
    const found = await findRepository(deps.store, caller.organizationId, host, scm.scmId, owner, repo);
    if (!found) return { hasAccess: false, errorMessage: `repository ${owner}/${repo} not found on ${host}, or not visible with your credentials` };
    if (!canRead(found, caller.subject.id))
      return { hasAccess: false, errorMessage: `your credentials for ${host} grant no read access to ${found.owner}/${found.name}` };
    return { hasAccess: true, errorMessage: "" };
  },
});
