// ListSCMOrganizations: the catalogue organizations on one host the caller belongs to, in natural
// order. `query` filters by a case-insensitive substring on GitLab hosts only (as GitLab's API
// does); other hosts ignore it. Page tokens are opaque and verified (HMAC), bound to the runner,
// host, caller and query.
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, defineHandlers, paginateArray } from "../../rpc/index.js";
import { assertHostName, isMember, naturalCompare, organizationsOn, webUrl } from "../../domain/scm/index.js";
import { requireHostAuthentication } from "./host-credentials.js";
import { findUsableRunner } from "../../domain/runners/index.js";
import { requireScmHost } from "./scm-hosts.js";

export const listSCMOrganizations = defineHandlers(RunnerService, (deps) => ({
  async listSCMOrganizations(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    assertHostName(req.scmHost, "scm_host");
    const nowMs = deps.clock.nowMs();
    const runner = await findUsableRunner(deps.store, nowMs, caller, req.runnerId, "list SCM organizations through it");
    const scm = await requireScmHost(deps.store, organizationId, runner, req.scmHost);
    await requireHostAuthentication(deps.store, nowMs, { organizationId, runnerId: runner.runnerId, host: scm.host, userId: caller.subject.id });

    const query = scm.scmId === "gitlab" ? req.query.toLowerCase() : "";
    const all = (await organizationsOn(deps.store, organizationId, scm.host, scm.scmId))
      .filter((o) => isMember(o, caller.subject.id) && o.name.toLowerCase().includes(query))
      .sort((a, b) => naturalCompare(a.name, b.name));
    const page = paginateArray(deps.pageTokens, {
      name: "ListSCMOrganizations",
      organizationId,
      pagination: req.pagination,
      filter: { runnerId: runner.runnerId, host: scm.host, subject: caller.subject.id, query },
      items: all,
    });
    return { organizations: page.values.map((o) => ({ name: o.name, url: webUrl(scm.host, o.name) })), pagination: page.pagination };
  },
}));
