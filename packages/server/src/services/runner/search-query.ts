// How SearchRepositories reads search_string.
//
// KEYWORD (and UNSPECIFIED): whitespace-separated words; each must occur, case-insensitively, in
// "owner/name". NATIVE: the SCM's own syntax, of which this server understands the GitHub
// qualifiers `user:`, `org:`, `owner:` (owner equals), `repo:OWNER/NAME`, `is:public`,
// `is:private`, `fork:true|only|false` and `in:name`; plain words must occur in the name. Another
// qualifier is invalid_argument naming search_string (the real SCM would reject it too).
import type { ScmRepositoryRecord } from "../../domain/scm/index.js";
import { invalidArgument } from "../../errors.js";
import { SearchMode } from "@gitpod-connect/schema/gitpod/v1/runner";

export type RepositoryMatcher = (repo: ScmRepositoryRecord) => boolean;

const words = (s: string) => s.split(/\s+/).filter((w) => w !== "");
const lower = (s: string) => s.toLowerCase();

function keyword(query: string): RepositoryMatcher {
  const wanted = words(query).map(lower);
  return (repo) => {
    const full = lower(`${repo.owner}/${repo.name}`);
    return wanted.every((w) => full.includes(w));
  };
}

function native(query: string): RepositoryMatcher {
  const tests: RepositoryMatcher[] = [];
  for (const word of words(query)) {
    const m = /^([a-z]+):(.*)$/i.exec(word);
    if (!m) {
      const w = lower(word);
      tests.push((r) => lower(r.name).includes(w));
      continue;
    }
    const [, qualifier, raw] = m as unknown as [string, string, string];
    const value = lower(raw);
    switch (lower(qualifier)) {
      case "user":
      case "org":
      case "owner":
        tests.push((r) => lower(r.owner) === value);
        break;
      case "repo":
        tests.push((r) => lower(`${r.owner}/${r.name}`) === value);
        break;
      case "is":
        if (value !== "public" && value !== "private") throw invalidArgument("search_string", `is:${raw} is not supported; use is:public or is:private`);
        tests.push((r) => (r.private === true) === (value === "private"));
        break;
      case "fork":
        if (value === "only") tests.push((r) => r.parent !== undefined);
        else if (value === "false") tests.push((r) => r.parent === undefined);
        else if (value !== "true") throw invalidArgument("search_string", `fork:${raw} is not supported; use fork:true, fork:only or fork:false`);
        break;
      case "in":
        break;
      default:
        throw invalidArgument("search_string", `the qualifier ${JSON.stringify(`${qualifier}:`)} is not supported in SEARCH_MODE_NATIVE`);
    }
  }
  return (repo) => tests.every((t) => t(repo));
}

export function repositoryMatcher(query: string, mode: SearchMode): RepositoryMatcher {
  if (mode === SearchMode.NATIVE) return native(query);
  if (mode === SearchMode.KEYWORD || mode === SearchMode.UNSPECIFIED) return keyword(query);
  // Enums are open on the wire: any other number can arrive here.
  throw invalidArgument("search_mode", `${mode as number} is not a value of gitpod.v1.SearchMode`);
}
