// ParseContextURL: what a context URL points at, checked against the SCM catalogue.
//
//   malformed URL                                   invalid_argument naming context_url
//   host the runner knows no SCM for                failed_precondition (add an SCM integration)
//   caller not authenticated with the host          failed_precondition
//   repository not in the catalogue                 not_found
//   private repository the caller may not read      permission_denied
//   branch, tag, pull request or issue not found    not_found (any commit SHA is accepted)
//
// Without runner_id the server picks the organization's first runner (in creation order, not
// being deleted) through which the caller is authenticated with the host, else the first that has
// an SCM integration for it, else the first that knows the host at all, else the first runner.
import { create } from "@bufbuild/protobuf";
import { PullRequest_State, PullRequestSchema } from "@gitpod-connect/schema/gitpod/v1/agent";
import {
  ParseContextURLResponse_IssueSchema,
  ParseContextURLResponse_PullRequestSchema,
  ParseContextURLResponseSchema,
  type ParseContextURLResponse,
  RunnerService,
  type Runner,
} from "@gitpod-connect/schema/gitpod/v1/runner";
import type { Caller } from "../../auth/caller.js";
import { environmentClasses } from "../../domain/environment-classes/index.js";
import { findUsableRunner, isGoingAway, isGone, isRunnerCaller, runners } from "../../domain/runners/index.js";
import { branchesOf, canRead, cloneUrl, type ContextScm, type ContextTarget, defaultBranchOf, findRepository, looksLikeSha, type ScmPullRequestRecord, type ScmRepositoryRecord, webUrl } from "../../domain/scm/index.js";
import { callerOf, defineHandlers, failedPrecondition, notFound, permissionDenied } from "../../rpc/index.js";
import type { Transaction } from "../../store/store.js";
import { locateArgument, parseArgument } from "./context-url-argument.js";
import { isAuthenticatedWithHost, requireHostAuthentication } from "./host-credentials.js";
import { requireScmHost, resolveScmHost } from "./scm-hosts.js";
import { recordsWhere } from "../../store/scan.js";

async function pickRunner(tx: Transaction, nowMs: number, caller: Caller, host: string): Promise<Runner> {
  if (isRunnerCaller(caller)) return findUsableRunner(tx, nowMs, caller, caller.subject.id, "parse context URLs with it");
  const { organizationId } = caller;
  const candidates = (await recordsWhere(tx, runners, organizationId, (r) => !isGoingAway(r) && !isGone(r, nowMs))).map((r) => r.value);
  if (candidates.length === 0) throw failedPrecondition("the organization has no runner to parse the context URL with; create one first (CreateRunner)");
  for (const r of candidates)
    if (await isAuthenticatedWithHost(tx, nowMs, { organizationId, runnerId: r.runnerId, host, userId: caller.subject.id })) return r;
  const known = [];
  for (const r of candidates) {
    const scm = await resolveScmHost(tx, organizationId, r, host);
    if (scm?.integration) return r;
    if (scm) known.push(r);
  }
  return known[0] ?? candidates[0]!;
}

/** The branch, tag or commit `segments` start with (the rest is a file path), longest branch first. */
function resolveRef(repo: ScmRepositoryRecord, segments: string[]): { branch?: string; tag?: string; commit?: string } | undefined {
  const prefixes = segments.map((_, i) => segments.slice(0, segments.length - i).join("/"));
  const branch = prefixes.find((p) => branchesOf(repo).includes(p));
  if (branch) return { branch };
  const tag = prefixes.find((p) => (repo.tags ?? []).includes(p));
  if (tag) return { tag };
  return looksLikeSha(segments[0]!) ? { commit: segments[0]!.toLowerCase() } : undefined;
}

const pullRequestPage: Readonly<Record<ContextScm, string>> = { github: "pull", gitlab: "-/merge_requests", bitbucket: "pull-requests" };

const states: Readonly<Record<NonNullable<ScmPullRequestRecord["state"]>, PullRequest_State>> = {
  open: PullRequest_State.OPEN,
  closed: PullRequest_State.CLOSED,
  merged: PullRequest_State.MERGED,
};

function describeTarget(
  response: ParseContextURLResponse,
  repo: ScmRepositoryRecord,
  scm: ContextScm,
  target: ContextTarget,
): void {
  const git = response.git!;
  const path = `${repo.owner}/${repo.name}`;
  const missing = (what: string, name: string) => notFound(`${what} of ${path} on ${repo.host}`, name);
  switch (target.kind) {
    case "repository":
      git.branch = defaultBranchOf(repo);
      return;
    case "ref": {
      const ref = resolveRef(repo, target.segments);
      if (!ref) throw missing("branch, tag or commit", target.segments.join("/"));
      Object.assign(git, ref);
      return;
    }
    case "branch":
      if (!branchesOf(repo).includes(target.name)) throw missing("branch", target.name);
      git.branch = target.name;
      return;
    case "tag":
      if (!(repo.tags ?? []).includes(target.name)) throw missing("tag", target.name);
      git.tag = target.name;
      return;
    case "commit":
      git.commit = target.sha;
      return;
    case "issue": {
      const issue = (repo.issues ?? []).find((i) => i.id === target.id);
      if (!issue) throw missing("issue", target.id);
      git.branch = defaultBranchOf(repo);
      response.issue = create(ParseContextURLResponse_IssueSchema, issue);
      return;
    }
    case "pull-request": {
      const pr = (repo.pullRequests ?? []).find((p) => p.id === target.id);
      if (!pr) throw missing("pull request", target.id);
      git.branch = pr.fromBranch;
      git.commit = pr.headSha ?? "";
      response.pullRequest = create(PullRequestSchema, {
        id: pr.id,
        title: pr.title,
        fromBranch: pr.fromBranch,
        toBranch: pr.toBranch,
        url: webUrl(repo.host, `${path}/${pullRequestPage[scm]}/${pr.id}`),
        author: pr.author ?? "",
        draft: pr.draft ?? false,
        state: states[pr.state ?? "open"],
        headSha: pr.headSha ?? "",
        repository: { cloneUrl: git.cloneUrl, host: repo.host, owner: repo.owner, name: repo.name },
      });
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- old clients still read the reduced form
      response.pr = create(ParseContextURLResponse_PullRequestSchema, { id: pr.id, title: pr.title, fromBranch: pr.fromBranch, toBranch: pr.toBranch });
      return;
    }
  }
}

export const parseContextURL = defineHandlers(RunnerService, (deps) => ({
  async parseContextURL(req, ctx) {
    const caller = callerOf(ctx);
    const { organizationId } = caller;
    const { host } = locateArgument(req.contextUrl, "context_url");
    const nowMs = deps.clock.nowMs();
    const runner =
      req.runnerId !== ""
        ? await findUsableRunner(deps.store, nowMs, caller, req.runnerId, "parse context URLs with it")
        : await pickRunner(deps.store, nowMs, caller, host);
    const scm = await requireScmHost(deps.store, organizationId, runner, host);
    const parsed = parseArgument(req.contextUrl, scm, "context_url");
    await requireHostAuthentication(deps.store, nowMs, { organizationId, runnerId: runner.runnerId, host, userId: caller.subject.id });

    const repo = await findRepository(deps.store, organizationId, host, scm.scmId, parsed.owner, parsed.repo);
    if (!repo) throw notFound(`repository on ${host}`, `${parsed.owner}/${parsed.repo}`);
    if (!canRead(repo, caller.subject.id)) throw permissionDenied(`your credentials for ${host} grant no read access to ${repo.owner}/${repo.name}`);

    const classes = await recordsWhere(deps.store, environmentClasses, organizationId, (c) => c.runnerId === runner.runnerId && c.enabled);
    const response = create(ParseContextURLResponseSchema, {
      originalContextUrl: req.contextUrl,
      scmId: scm.scmId,
      git: {
        cloneUrl: cloneUrl(host, `${repo.owner}/${repo.name}`),
        host,
        owner: repo.owner,
        repo: repo.name,
        upstreamRemoteUrl: repo.parent ? cloneUrl(host, repo.parent) : "",
      },
      recommendedEnvironmentClasses: classes.map((c) => c.id),
    });
    describeTarget(response, repo, scm.scmId as ContextScm, parsed.target);
    return response;
  },
}));
