// Strict proto3 JSON for the two well-known types written as strings: google.protobuf.Duration
// ("-1.5s") and google.protobuf.Timestamp (RFC 3339). protobuf-es 2.17 parses them leniently —
// a Duration pattern without an end anchor takes "1800sjunk" as 1800 s, a Timestamp of
// 1970-02-30 becomes March 2 — and fails a 10-digit fraction with a bare RangeError. The
// interop codec matrix found these against Python's protobuf, which rejects them; the request
// guard uses these checks to answer invalid_argument naming the field instead.

/** Duration's range in proto3 JSON: ±315,576,000,000 s (10,000 years). */
const maxDurationSeconds = 315_576_000_000n;
const durationPattern = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Why `text` is no proto3 JSON Duration, or undefined when it is one. */
export function durationStringProblem(text: string): string | undefined {
  const m = durationPattern.exec(text);
  if (!m) return `${JSON.stringify(text)} is no duration: write seconds with up to 9 fractional digits and an "s", e.g. "1.5s"`;
  if (BigInt(m[2]!) > maxDurationSeconds) return `${JSON.stringify(text)} is out of range: a duration is at most ${maxDurationSeconds} s`;
  return undefined;
}

/** Why `text` is no proto3 JSON Timestamp, or undefined when it is one. */
export function timestampStringProblem(text: string): string | undefined {
  const m = timestampPattern.exec(text);
  const bad = `${JSON.stringify(text)} is no timestamp: write RFC 3339, e.g. "2026-12-01T10:00:00Z", with up to 9 fractional digits`;
  if (!m) return bad;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return `${bad} (no such date or time)`;
  if (m[8] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return `${bad} (no such UTC offset)`;
  if (year < 1) return `${JSON.stringify(text)} is out of range: timestamps start at 0001-01-01T00:00:00Z`;
  return undefined;
}
