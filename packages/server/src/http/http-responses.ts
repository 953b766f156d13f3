// Small helpers for the plain HTTP endpoints (not RPCs): answers and request bodies.
import type { NodeRequest, NodeResponse } from "./request-handler.js";

export function sendText(res: NodeResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(text);
}

export function sendJson(res: NodeResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
}

/** The request body parsed as JSON (an empty body is `{}`); undefined when it is not JSON or larger than `max`. */
export async function readJson(req: NodeRequest, max = 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
