// Context URLs of GitHub, GitLab and Bitbucket, parsed without any network access: which host,
// which repository, and what inside it (a branch, tag or commit, a pull/merge request, an issue).
// Whether the branch, pull request … exists is decided later, against the SCM catalogue.
//
// Accepted forms (any host; which SCM serves a host is decided by the caller of this module):
//   web:   https://HOST/OWNER/REPO[/...]            (GitLab: https://HOST/GROUP[/SUBGROUP…]/PROJECT[/-/...])
//   clone: https://HOST/OWNER/REPO.git, ssh://git@HOST[:PORT]/OWNER/REPO.git, git@HOST:OWNER/REPO.git
// Query strings and fragments (?tab=…, #L10) are ignored; so are unknown sub-pages (/actions, /wiki):
// they point at the repository itself.
import { normalizeHost } from "./host-name.js";

/** The SCM systems whose URL layouts this module knows (scm_id values). */
const contextScms = ["github", "gitlab", "bitbucket"] as const;
export type ContextScm = (typeof contextScms)[number];

export function isContextScm(scmId: string): scmId is ContextScm {
  return (contextScms as readonly string[]).includes(scmId);
}

/** What a context URL points at inside its repository. */
export type ContextTarget =
  | { kind: "repository" }
  /** A branch, tag or commit, possibly followed by a file path: `/tree/feature/x/src/a.ts`. */
  | { kind: "ref"; segments: string[] }
  | { kind: "branch"; name: string }
  | { kind: "tag"; name: string }
  | { kind: "commit"; sha: string }
  | { kind: "pull-request"; id: string }
  | { kind: "issue"; id: string };

export interface ParsedContextUrl {
  host: string;
  /** The user, organization or (GitLab) group path. */
  owner: string;
  repo: string;
  target: ContextTarget;
}

/** Why a URL is not a context URL; the message is for the caller. */
export class ContextUrlError extends Error {
  override readonly name = "ContextUrlError";
}

/** The host and the decoded path segments of a URL or scp-like address. */
export interface ContextLocation {
  host: string;
  segments: string[];
}

const scpLike = /^[A-Za-z0-9._~-]+@([A-Za-z0-9.-]+):(?!\/)(.*)$/;
const shaPattern = /^[0-9a-f]{7,40}$/i;
const numberPattern = /^[1-9][0-9]{0,9}$/;
const namePattern = /^[A-Za-z0-9_.-]+$/;

function decodeSegments(path: string): string[] {
  return path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new ContextUrlError(`the path segment ${JSON.stringify(s)} is not valid percent-encoding`);
      }
    });
}

/** Host and path of `url`. Throws ContextUrlError for anything that is not an http(s), ssh or git address. */
export function locate(url: string): ContextLocation {
  const scp = !url.includes("://") ? scpLike.exec(url) : null;
  if (scp) return { host: normalizeHost(scp[1]!), segments: decodeSegments(scp[2]!) };

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ContextUrlError(`${JSON.stringify(url)} is not a URL`);
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (!["https", "http", "ssh", "git"].includes(scheme))
    throw new ContextUrlError(`must be an https, http, ssh or git URL, got the scheme ${JSON.stringify(scheme)}`);
  if (parsed.hostname === "") throw new ContextUrlError("has no host");
  // An SSH port is not the port of the SCM's web and API server: it is not part of the host.
  const host = scheme === "ssh" || scheme === "git" ? parsed.hostname : parsed.host;
  return { host: normalizeHost(host), segments: decodeSegments(parsed.pathname) };
}

function checkName(name: string, what: string): string {
  if (!namePattern.test(name) || name === "." || name === "..")
    throw new ContextUrlError(`${JSON.stringify(name)} is not a valid ${what} name`);
  return name;
}

function repoName(segment: string): string {
  return checkName(segment.endsWith(".git") ? segment.slice(0, -4) : segment, "repository");
}

function number(value: string | undefined, what: string): string {
  if (value === undefined || !numberPattern.test(value))
    throw new ContextUrlError(`${what} must be followed by a number, got ${JSON.stringify(value ?? "")}`);
  return value;
}

function sha(value: string | undefined): string {
  if (value === undefined || !shaPattern.test(value))
    throw new ContextUrlError(`a commit must be named by its SHA (7 to 40 hex digits), got ${JSON.stringify(value ?? "")}`);
  return value.toLowerCase();
}

function ref(segments: string[], what: string): ContextTarget {
  if (segments.length === 0) throw new ContextUrlError(`${what} must be followed by a branch, tag or commit`);
  return { kind: "ref", segments };
}

function named(kind: "branch" | "tag", segments: string[]): ContextTarget {
  if (segments.length === 0) throw new ContextUrlError(`the URL names no ${kind}`);
  return { kind, name: segments.join("/") };
}

/** What a sub-page of a repository (`tree`, `pull`, …) points at, given the segments after it. */
type Page = (more: string[], path: string) => ContextTarget;

const repository: ContextTarget = { kind: "repository" };
const refPage: Page = (more, path) => ref(more, path);
const commitPage: Page = (more) => ({ kind: "commit", sha: sha(more[0]) });
/** `/pull/12`, `/issues/3`; without a number (`/issues`, the list) the repository itself unless `required`. */
const numbered =
  (kind: "pull-request" | "issue", required = false): Page =>
  (more, path) =>
    !required && more.length === 0 ? repository : { kind, id: number(more[0], path) };

/** The sub-pages of each SCM's repository URLs, after `/OWNER/REPO` (GitLab: after `/PROJECT/-`). */
const layouts: Readonly<Record<ContextScm, { prefix: string; pages: ReadonlyMap<string, Page> }>> = {
  github: {
    prefix: "/",
    pages: new Map<string, Page>([
      ["tree", refPage],
      ["blob", refPage],
      ["commits", refPage],
      ["commit", commitPage],
      ["pull", numbered("pull-request", true)],
      ["issues", numbered("issue")],
      ["releases", (more) => (more[0] === "tag" ? named("tag", more.slice(1)) : repository)],
    ]),
  },
  gitlab: {
    prefix: "/-/",
    pages: new Map<string, Page>([
      ["tree", refPage],
      ["blob", refPage],
      ["commits", refPage],
      ["commit", commitPage],
      ["merge_requests", numbered("pull-request")],
      ["issues", numbered("issue")],
      ["tags", (more) => (more.length === 0 ? repository : named("tag", more))],
    ]),
  },
  bitbucket: {
    prefix: "/",
    pages: new Map<string, Page>([
      ["src", refPage],
      ["branch", (more) => named("branch", more)],
      [
        "commits",
        (more) =>
          more[0] === "branch" ? named("branch", more.slice(1)) : more[0] === "tag" ? named("tag", more.slice(1)) : more.length === 0 ? repository : commitPage(more, ""),
      ],
      ["pull-requests", numbered("pull-request")],
      ["issues", numbered("issue")],
    ]),
  },
};

/** What the segments after the repository point at; unknown sub-pages point at the repository. */
function targetOf(scm: ContextScm, rest: string[]): ContextTarget {
  const [page, ...more] = rest;
  const { prefix, pages } = layouts[scm];
  const handler = page === undefined ? undefined : pages.get(page);
  return handler ? handler(more, `${prefix}${page}`) : repository;
}

/** Parses a context URL of `scm`. Throws ContextUrlError with a message for the caller. */
export function parseContextUrl(url: string, scm: ContextScm): ParsedContextUrl {
  const { host, segments } = locate(url);
  if (scm === "gitlab") {
    const dash = segments.indexOf("-");
    const project = dash < 0 ? segments : segments.slice(0, dash);
    if (project.length < 2)
      throw new ContextUrlError(`must name a project: https://${host}/GROUP/PROJECT (subgroups allowed)`);
    const owner = project.slice(0, -1).map((s) => checkName(s, "group")).join("/");
    return { host, owner, repo: repoName(project[project.length - 1]!), target: targetOf("gitlab", dash < 0 ? [] : segments.slice(dash + 1)) };
  }
  if (segments.length < 2) throw new ContextUrlError(`must name a repository: https://${host}/OWNER/REPOSITORY`);
  const [owner, repo, ...rest] = segments as [string, string, ...string[]];
  return { host, owner: checkName(owner, "owner"), repo: repoName(repo), target: targetOf(scm, rest) };
}

/** Whether `value` looks like a commit SHA (7 to 40 hex digits). */
export function looksLikeSha(value: string): boolean {
  return shaPattern.test(value);
}
