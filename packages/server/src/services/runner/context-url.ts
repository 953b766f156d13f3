// Context URLs of GitHub, GitLab and Bitbucket, parsed without any network access: which host,
// which repository, and what inside it (a branch, tag or commit, a pull/merge request, an issue).
// Whether the branch, pull request … exists is decided later, against the SCM catalogue.
//
// Accepted forms (any host; which SCM serves a host is decided by the caller of this module):
//   web:   https://HOST/OWNER/REPO[/...]            (GitLab: https://HOST/GROUP[/SUBGROUP…]/PROJECT[/-/...])
//   clone: https://HOST/OWNER/REPO.git, ssh://git@HOST[:PORT]/OWNER/REPO.git, git@HOST:OWNER/REPO.git
// Query strings and fragments (?tab=…, #L10) are ignored; so are unknown sub-pages (/actions, /wiki):
// they point at the repository itself.
import { normalizeHost } from "../runner-configuration/index.js";

/** The SCM systems whose URL layouts this module knows (scm_id values). */
export const contextScms = ["github", "gitlab", "bitbucket"] as const;
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

function github(rest: string[]): ContextTarget {
  const [page, ...more] = rest;
  switch (page) {
    case undefined:
      return { kind: "repository" };
    case "tree":
    case "blob":
    case "commits":
      return ref(more, `/${page}`);
    case "commit":
      return { kind: "commit", sha: sha(more[0]) };
    case "pull":
      return { kind: "pull-request", id: number(more[0], "/pull") };
    case "issues":
      return more.length === 0 ? { kind: "repository" } : { kind: "issue", id: number(more[0], "/issues") };
    case "releases":
      return more[0] === "tag" ? named("tag", more.slice(1)) : { kind: "repository" };
    default:
      return { kind: "repository" };
  }
}

function gitlab(rest: string[]): ContextTarget {
  const [page, ...more] = rest;
  switch (page) {
    case undefined:
      return { kind: "repository" };
    case "tree":
    case "blob":
    case "commits":
      return ref(more, `/-/${page}`);
    case "commit":
      return { kind: "commit", sha: sha(more[0]) };
    case "merge_requests":
      return more.length === 0 ? { kind: "repository" } : { kind: "pull-request", id: number(more[0], "/-/merge_requests") };
    case "issues":
      return more.length === 0 ? { kind: "repository" } : { kind: "issue", id: number(more[0], "/-/issues") };
    case "tags":
      return more.length === 0 ? { kind: "repository" } : named("tag", more);
    default:
      return { kind: "repository" };
  }
}

function bitbucket(rest: string[]): ContextTarget {
  const [page, ...more] = rest;
  switch (page) {
    case undefined:
      return { kind: "repository" };
    case "src":
      return ref(more, "/src");
    case "branch":
      return named("branch", more);
    case "commits":
      if (more[0] === "branch") return named("branch", more.slice(1));
      if (more[0] === "tag") return named("tag", more.slice(1));
      return more.length === 0 ? { kind: "repository" } : { kind: "commit", sha: sha(more[0]) };
    case "pull-requests":
      return more.length === 0 ? { kind: "repository" } : { kind: "pull-request", id: number(more[0], "/pull-requests") };
    case "issues":
      return more.length === 0 ? { kind: "repository" } : { kind: "issue", id: number(more[0], "/issues") };
    default:
      return { kind: "repository" };
  }
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
    return { host, owner, repo: repoName(project[project.length - 1]!), target: gitlab(dash < 0 ? [] : segments.slice(dash + 1)) };
  }
  if (segments.length < 2) throw new ContextUrlError(`must name a repository: https://${host}/OWNER/REPOSITORY`);
  const [owner, repo, ...rest] = segments as [string, string, ...string[]];
  const target = scm === "github" ? github(rest) : bitbucket(rest);
  return { host, owner: checkName(owner, "owner"), repo: repoName(repo), target };
}

/** Whether `value` looks like a commit SHA (7 to 40 hex digits). */
export function looksLikeSha(value: string): boolean {
  return shaPattern.test(value);
}
