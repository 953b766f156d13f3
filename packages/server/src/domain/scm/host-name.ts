// Host names as stored and compared: "GitHub.com" and "github.com" are one host (DNS names are
// case-insensitive). A port is part of the host ("git.example.com:8443").
import { invalidArgument } from "../../errors.js";

/** Lower case, without surrounding space or a trailing dot. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.(?=:|$)/, "");
}

/** Why `host` is not a usable host name, or undefined when it is. */
export function hostNameProblem(host: string): string | undefined {
  const h = normalizeHost(host);
  if (h === "") return "must not be empty";
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(h)) return `must be a host name without a scheme (e.g. "github.com"), got ${JSON.stringify(host)}`;
  if (h.length > 253) return "must be at most 253 characters";
  const m = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
  if (!m) return `${JSON.stringify(host)} is not a host name (letters, digits, dots, dashes and an optional :port)`;
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return `port ${m[2]} is out of range`;
  if (m[1]!.split(".").some((label) => label === "" || label.startsWith("-") || label.endsWith("-") || label.length > 63))
    return `${JSON.stringify(host)} is not a host name`;
  return undefined;
}

/** invalid_argument naming `field` unless `host` is a usable host name. */
export function assertHostName(host: string, field: string): void {
  const problem = hostNameProblem(host);
  if (problem) throw invalidArgument(field, problem);
}
