// SearchRepositories: the catalogue repositories the caller can read on the hosts it is
// authenticated with through the runner (or on scm_host only), matching search_string
// (search-query.ts), in natural order of their names. Pages follow the documented token format
// "NEXT_PAGE/TOTAL_PAGES/TOTAL_COUNT" (e.g. "2/40/1000"): it is not opaque, so any page number
// may be asked for; a page past the last one is empty.
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, defineHandlers, invalidArgument, pageSizeOf } from "../../rpc/index.js";
import { assertHostName, canRead, naturalCompare, repositoriesOn, webUrl } from "../../domain/scm/index.js";
import { authenticatedHosts, requireHostAuthentication } from "./host-credentials.js";
import { findUsableRunner } from "../../domain/runners/index.js";
import { requireScmHost, resolveScmHost, type ScmHost } from "./scm-hosts.js";
import { repositoryMatcher } from "./search-query.js";

const tokenPattern = /^([1-9][0-9]{0,8})\/(-1|[0-9]{1,9})\/(-1|[0-9]{1,9})$/;

/** The page a search token asks for (1 without a token). */
export function searchPage(token: string): number {
  if (token === "") return 1;
  const m = tokenPattern.exec(token);
  if (!m) throw invalidArgument("pagination.token", 'must be "NEXT_PAGE/TOTAL_PAGES/TOTAL_COUNT" as returned in next_token, e.g. "2/40/1000"');
  return Number(m[1]);
}

/** The next_token after `page` of `totalPages` pages holding `total` repositories ("" after the last). */
export function searchToken(page: number, totalPages: number, total: number): string {
  return page < totalPages ? `${page + 1}/${totalPages}/${total}` : "";
}

export const searchRepositories = defineHandlers(RunnerService, (deps) => ({
  async searchRepositories(req, ctx) {
    const caller = callerOf(ctx);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- still honoured when pagination.page_size is not set
    const limit = req.limit;
    if (limit !== 0 && (limit < 1 || limit > 100)) throw invalidArgument("limit", "must be between 1 and 100 (deprecated: use pagination.page_size)");
    const size = pageSizeOf(req.pagination, limit);
    const page = searchPage(req.pagination?.token ?? "");
    const matches = repositoryMatcher(req.searchString, req.searchMode);
    if (req.scmHost !== "") assertHostName(req.scmHost, "scm_host");
    const nowMs = deps.clock.nowMs();
    const { organizationId } = caller;
    const runner = await findUsableRunner(deps.store, nowMs, caller, req.runnerId, "search repositories through it");
    const userId = caller.subject.id;

    let hosts: ScmHost[];
    if (req.scmHost !== "") {
      const scm = await requireScmHost(deps.store, organizationId, runner, req.scmHost);
      await requireHostAuthentication(deps.store, nowMs, { organizationId, runnerId: runner.runnerId, host: scm.host, userId });
      hosts = [scm];
    } else {
      hosts = [];
      for (const host of await authenticatedHosts(deps.store, nowMs, { organizationId, runnerId: runner.runnerId, userId })) {
        const scm = await resolveScmHost(deps.store, organizationId, runner, host);
        if (scm) hosts.push(scm);
      }
    }

    const found = [];
    for (const scm of hosts)
      found.push(...(await repositoriesOn(deps.store, organizationId, scm.host, scm.scmId)).filter((r) => canRead(r, userId) && matches(r)));
    found.sort((a, b) => naturalCompare(a.name, b.name) || naturalCompare(a.owner, b.owner) || naturalCompare(a.host, b.host));

    const totalPages = Math.ceil(found.length / size);
    return {
      repositories: found.slice((page - 1) * size, page * size).map((r) => ({ name: r.name, url: webUrl(r.host, `${r.owner}/${r.name}`) })),
      pagination: { nextToken: searchToken(page, totalPages, found.length) },
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- old clients still read it
      lastPage: totalPages,
    };
  },
}));
