// Page tokens: opaque to callers, verified by the server. A token is the cursor (the sequence of
// the last record returned) plus an HMAC-SHA256 over the cursor and the list's *binding* — which
// list (collection, organization) and which filter. The key is random per server process, so a
// token that was forged, edited, issued by another process, or issued for another list or filter
// fails verification and the call gets invalid_argument naming `pagination.token`.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { invalidArgument } from "../errors.js";

export interface PageTokens {
  /** A token that resumes the list bound to `binding` after `cursor`. */
  issue(cursor: number, binding: string): string;
  /** The cursor of a token issued for the same `binding`; throws invalid_argument otherwise. */
  read(token: string, binding: string): number;
}

const tokenField = "pagination.token";

export function createPageTokens(secret: Uint8Array = randomBytes(32)): PageTokens {
  const mac = (payload: string, binding: string) =>
    createHmac("sha256", secret).update(payload).update("\n").update(binding).digest();

  return {
    issue(cursor, binding) {
      const payload = Buffer.from(JSON.stringify({ v: 1, c: cursor })).toString("base64url");
      return `${payload}.${mac(payload, binding).toString("base64url")}`;
    },
    read(token, binding) {
      const [payload, signature, ...rest] = token.split(".");
      if (!payload || !signature || rest.length > 0 || token.length > 512) {
        throw invalidArgument(tokenField, "malformed page token; pass next_token unchanged or omit it");
      }
      const given = Buffer.from(signature, "base64url");
      const expected = mac(payload, binding);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw invalidArgument(
          tokenField,
          "page token was not issued for this list and filter (forged, altered or expired); start again without a token",
        );
      }
      let cursor: unknown;
      try {
        cursor = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { c?: unknown }).c;
      } catch {
        cursor = undefined;
      }
      if (typeof cursor !== "number" || !Number.isSafeInteger(cursor) || cursor < 0) {
        throw invalidArgument(tokenField, "malformed page token");
      }
      return cursor;
    },
  };
}

/**
 * A stable fingerprint of any request value (e.g. a List filter message): canonical JSON with
 * sorted keys, hashed. Equal filters give equal fingerprints however their fields were set.
 */
export function fingerprint(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("base64url");
}

function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "bigint") return `"${value.toString()}n"`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString("base64"));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
