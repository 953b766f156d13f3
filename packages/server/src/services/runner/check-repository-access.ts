// CheckRepositoryAccess: whether the caller's credentials for the host can read the repository in
// the SCM catalogue — never asked of a real SCM.
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { canRead, findRepository } from "../../domain/scm/index.js";
import { locateArgument, parseArgument } from "./context-url-argument.js";
import { requireHostAuthentication } from "./host-credentials.js";
import { findUsableRunner } from "../../domain/runners/index.js";
import { requireScmHost } from "./scm-hosts.js";

export const checkRepositoryAccess = defineHandlers(RunnerService, (deps) => ({
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
}));
