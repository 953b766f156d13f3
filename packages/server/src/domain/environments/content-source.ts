// What an environment's content comes from, read off its initializer without any network access:
// the repository to clone, the branch or commit, and the context URL it was created from.
import { createHash } from "node:crypto";
import {
  GitInitializer_CloneTargetMode,
  type EnvironmentInitializer,
} from "@gitpod-connect/schema/gitpod/v1/environment";
import { ContextUrlError, isContextScm, locate, parseContextUrl, type ContextScm } from "../scm/index.js";

export interface ContentSource {
  /** HTTPS clone URL; empty for an environment without a repository. */
  cloneUrl: string;
  /** The checked-out branch ("" for a detached commit). */
  branch: string;
  /** The checked-out commit: the one named, else a stable stand-in derived from URL and branch. */
  commit: string;
  /** The repository's name ("" without one): the folder it is checked out into. */
  repository: string;
  /** The context URL as given (metadata.original_context_url); empty for Git initializers. */
  contextUrl: string;
}

const noContent: ContentSource = { cloneUrl: "", branch: "", commit: "", repository: "", contextUrl: "" };

const scmOfHost = (host: string): ContextScm => {
  const known = host.split(".").find(isContextScm);
  return known ?? "github";
};

const standInCommit = (cloneUrl: string, ref: string) => createHash("sha1").update(`${cloneUrl}\n${ref}`).digest("hex");

/** The source of the first initializer spec (later specs add content but do not change what is checked out). */
export function contentSourceOf(initializer: EnvironmentInitializer | undefined): ContentSource {
  const first = initializer?.specs[0]?.spec;
  if (!first?.case) return noContent;
  if (first.case === "git") {
    const git = first.value;
    const cloneUrl = git.remoteUri;
    const repository = cloneUrl.replace(/\.git$/, "").split(/[/:]/).filter(Boolean).pop() ?? "";
    const detached = git.targetMode === GitInitializer_CloneTargetMode.REMOTE_COMMIT || git.targetMode === GitInitializer_CloneTargetMode.REMOTE_TAG;
    const branch = detached ? "" : git.cloneTarget || "main";
    const commit = git.targetMode === GitInitializer_CloneTargetMode.REMOTE_COMMIT && git.cloneTarget ? git.cloneTarget : standInCommit(cloneUrl, git.cloneTarget);
    return { cloneUrl, branch, commit, repository, contextUrl: "" };
  }
  const url = first.value.url;
  try {
    const host = locate(url).host;
    const parsed = parseContextUrl(url, scmOfHost(host));
    const cloneUrl = `https://${parsed.host}/${parsed.owner}/${parsed.repo}.git`;
    const t = parsed.target;
    const branch = t.kind === "branch" ? t.name : t.kind === "ref" ? (t.segments[0] ?? "main") : t.kind === "commit" || t.kind === "tag" ? "" : "main";
    const commit = t.kind === "commit" ? t.sha : standInCommit(cloneUrl, branch || (t.kind === "tag" ? t.name : ""));
    return { cloneUrl, branch, commit, repository: parsed.repo, contextUrl: url };
  } catch (e) {
    if (!(e instanceof ContextUrlError)) throw e;
    // Not a repository URL this server can read: the environment starts from it without a checkout.
    return { ...noContent, contextUrl: url };
  }
}
