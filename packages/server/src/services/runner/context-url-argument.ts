// A context or repository URL as a request field: context-url.ts's parse errors become
// invalid_argument naming the field; hosts of SCM systems whose URLs this server does not parse
// (Azure DevOps) are unimplemented.
import { Code, ConnectError } from "@connectrpc/connect";
import { invalidArgument } from "../../errors.js";
import { ContextUrlError, isContextScm, locate, parseContextUrl, type ContextLocation, type ParsedContextUrl } from "../../domain/scm/index.js";
import type { ScmHost } from "./scm-hosts.js";

function asArgument<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ContextUrlError) throw invalidArgument(field, e.message);
    throw e;
  }
}

/** The host and path of the URL in `field`. */
export function locateArgument(url: string, field: string): ContextLocation {
  return asArgument(field, () => locate(url));
}

/** The URL in `field` parsed with the layout of `scm`'s SCM system. */
export function parseArgument(url: string, scm: ScmHost, field: string): ParsedContextUrl {
  const scmId = scm.scmId;
  if (!isContextScm(scmId))
    throw new ConnectError(`${field}: URLs of ${scm.name} (${scm.host}) are not supported by this server; GitHub, GitLab and Bitbucket are`, Code.Unimplemented);
  return asArgument(field, () => parseContextUrl(url, scmId));
}
