// Plain fetch as a peer: requests written by hand as a curl user would write them from the
// documentation — JSON bodies, a bearer token, Connect's unary POST and GET, Connect's enveloped
// streams and gRPC-web's frames with the JSON codec — and answers read as bytes and JSON, with no
// Connect or protobuf library at all.

/** Throws, with what to do, unless this Node has a global fetch (Node 18+). */
export function requireFetch(): void {
  if (typeof globalThis.fetch !== "function") throw new Error(`this Node (${process.version}) has no global fetch: the fetch peer needs Node 18 or later (the repository targets 20)`);
}

/** One answer: status, headers, the body as text and, when it is JSON, parsed. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: unknown = undefined;
  if ((res.headers.get("content-type") ?? "").startsWith("application/json") && text !== "") json = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, json };
}

/** The Authorization header for a bearer token; none for null. */
const auth = (token: string | null): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token}` });

/** POST `body` (a hand-written JSON string, sent as is) to `${baseUrl}${path}` with content-type application/json. */
export async function postJson(baseUrl: string, path: string, body: string, token: string | null, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(await fetch(`${baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...auth(token), ...headers }, body }));
}

/** Connect GET: `?connect=v1&encoding=json&message=<url-encoded JSON>`. */
export async function connectGet(baseUrl: string, path: string, message: string, token: string | null): Promise<Answer> {
  const query = `connect=v1&encoding=json&message=${encodeURIComponent(message)}`;
  return answer(await fetch(`${baseUrl}${path}?${query}`, { method: "GET", headers: auth(token) }));
}

/** A length-prefixed frame: flags, 4-byte big-endian length, payload (Connect streams and gRPC-web alike). */
export function frame(flags: number, payload: string | Uint8Array): Uint8Array {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const out = new Uint8Array(5 + bytes.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, bytes.length);
  out.set(bytes, 5);
  return out;
}

export interface Frame {
  flags: number;
  payload: Uint8Array;
}

/** Reads frames from a byte stream as they arrive. */
export async function* frames(body: ReadableStream<Uint8Array>): AsyncGenerator<Frame> {
  let buffered = new Uint8Array(0);
  const reader = body.getReader();
  try {
    for (;;) {
      while (buffered.length >= 5) {
        const length = new DataView(buffered.buffer, buffered.byteOffset).getUint32(1);
        if (buffered.length < 5 + length) break;
        yield { flags: buffered[0]!, payload: buffered.slice(5, 5 + length) };
        buffered = buffered.slice(5 + length);
      }
      const { done, value } = await reader.read();
      if (done) {
        if (buffered.length > 0) throw new Error(`${buffered.length} bytes after the last complete frame`);
        return;
      }
      const joined = new Uint8Array(buffered.length + value.length);
      joined.set(buffered);
      joined.set(value, buffered.length);
      buffered = joined;
    }
  } finally {
    reader.releaseLock();
  }
}

export const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);

/** All frames of a whole body. */
export function framesOf(bytes: Uint8Array): Frame[] {
  const out: Frame[] = [];
  let pos = 0;
  while (pos + 5 <= bytes.length) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + pos).getUint32(1);
    out.push({ flags: bytes[pos]!, payload: bytes.slice(pos + 5, pos + 5 + length) });
    pos += 5 + length;
  }
  if (pos !== bytes.length) throw new Error(`${bytes.length - pos} bytes after the last complete frame`);
  return out;
}

/** A gRPC-web trailer frame's payload ("grpc-status: 0\r\ngrpc-message: …\r\n") as a map of lower-case names. */
export function trailerMap(payload: Uint8Array): Record<string, string> {
  const map: Record<string, string> = {};
  for (const line of utf8(payload).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) map[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return map;
}

/** Every key of a JSON value, at any depth (map fields' keys are data: pass their paths in `skip`). */
export function jsonKeys(value: unknown, path = "", skip: readonly string[] = []): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => jsonKeys(v, `${path}[]`, skip));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const p = path ? `${path}.${k}` : k;
    return skip.includes(p) ? [k] : [k, ...jsonKeys(v, p, skip)];
  });
}
