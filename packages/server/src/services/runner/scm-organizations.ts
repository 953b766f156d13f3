// ListSCMOrganizations: the catalogue organizations on one host the caller belongs to, in natural
// order. `query` filters by a case-insensitive substring on GitLab hosts only (as GitLab's API
// does); other hosts ignore it. Page tokens are opaque and verified (HMAC), bound to the runner,
// host, caller and query.
import { callerOf, invalidArgument } from "../../kit.js";
import { hostNameProblem } from "../runner-configuration/host-name.js";
import type { HandlerGroup } from "./handler-group.js";
import { requireHostAuthentication } from "./host-credentials.js";
import { naturalCompare } from "./natural-order.js";
import { pageSizeOf } from "./page-size.js";
import { findUsableRunner } from "./runner-lookup.js";
import { isMember, organizationsOn, webUrl } from "./scm-catalogue.js";
import { requireScmHost } from "./scm-hosts.js";

export const scmOrganizationHandlers: HandlerGroup = (deps) => ({
  async listSCMOrganizations(req, ctx) {
    const caller = callerOf(ctx);
    const problem = hostNameProblem(req.scmHost);
    if (problem) throw invalidArgument("scm_host", problem);
    const size = pageSizeOf(req.pagination);
    const nowMs = deps.clock.nowMs();
    const runner = await findUsableRunner(deps.store, nowMs, caller, req.runnerId, "list SCM organizations through it");
    const scm = await requireScmHost(deps.store, caller.organizationId, runner, req.scmHost);
    await requireHostAuthentication(deps.store, nowMs, {
      organizationId: caller.organizationId,
      runnerId: runner.runnerId,
      host: scm.host,
      userId: caller.subject.id,
    });

    const query = scm.scmId === "gitlab" ? req.query.toLowerCase() : "";
    const binding = JSON.stringify(["scm_organizations", caller.organizationId, runner.runnerId, scm.host, caller.subject.id, query]);
    const token = req.pagination?.token ?? "";
    const offset = token === "" ? 0 : deps.pageTokens.read(token, binding);

    const all = (await organizationsOn(deps.store, caller.organizationId, scm.host, scm.scmId))
      .filter((o) => isMember(o, caller.subject.id) && o.name.toLowerCase().includes(query))
      .sort((a, b) => naturalCompare(a.name, b.name));
    const page = all.slice(offset, offset + size);
    const next = offset + size;
    return {
      organizations: page.map((o) => ({ name: o.name, url: webUrl(scm.host, o.name) })),
      pagination: { nextToken: next < all.length ? deps.pageTokens.issue(next, binding) : "" },
    };
  },
});
