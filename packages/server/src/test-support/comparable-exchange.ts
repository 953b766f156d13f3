// An HTTP answer as two servers given the same request must give it: status, the headers and
// trailers that carry meaning (not Date, nor the connection management Node adds), and the body.
// Used by the differential tests of the unary fast path.
import type { RawResponse } from "./raw-request.js";

export interface ComparableExchange {
  status: number;
  headers: Record<string, string>;
  trailers: Record<string, string>;
  /** The body, base64 (binary bodies compare byte for byte), or raw socket text. */
  body: string;
}

/** Headers that differ between two identical answers, or say nothing of the answer itself. */
const incidental = new Set(["date", "connection", "keep-alive", ":status"]);

function meaningful(headers: RawResponse["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || incidental.has(key)) continue;
    out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** The answer with its comparable form attached. */
export function comparableExchange(res: RawResponse): RawResponse & { comparable: ComparableExchange } {
  return Object.assign(res, {
    comparable: { status: res.status, headers: meaningful(res.headers), trailers: meaningful(res.trailers), body: res.body.toString("base64") },
  });
}
