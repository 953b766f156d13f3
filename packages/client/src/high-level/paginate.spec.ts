import { describe, expect, it } from "vitest";
import { paginate, PaginationLoopError } from "./paginate.js";

interface Req {
  filter?: string;
  pagination?: { token?: string; pageSize?: number };
}
interface Page {
  items: number[];
  pagination?: { nextToken: string };
}

/** A fake list RPC: pages of `pages`, each naming the next by token; records the requests. */
function server(pages: Record<string, Page>) {
  const requests: Req[] = [];
  const fetchPage = (req: Req) => {
    requests.push(req);
    const page = pages[req.pagination?.token ?? ""];
    if (!page) throw new Error(`no page ${req.pagination?.token}`);
    return Promise.resolve(page);
  };
  return { requests, list: (req: Req = {}) => paginate("test.v1.S/List", req, fetchPage, (p) => p.items, (p) => p.pagination?.nextToken ?? "") };
}

describe("paginate", () => {
  it("follows next tokens until an empty one, yielding every item in order", async () => {
    const s = server({
      "": { items: [1, 2], pagination: { nextToken: "a" } },
      a: { items: [3], pagination: { nextToken: "b" } },
      b: { items: [4, 5], pagination: { nextToken: "" } },
    });
    expect(await s.list().toArray()).toEqual([1, 2, 3, 4, 5]);
    expect(s.requests.map((r) => r.pagination?.token)).toEqual(["", "a", "b"]);
  });

  it("keeps the request's filter and page size on every page", async () => {
    const s = server({ "": { items: [1], pagination: { nextToken: "a" } }, a: { items: [2] } });
    await s.list({ filter: "x", pagination: { pageSize: 1 } }).toArray();
    expect(s.requests).toEqual([
      { filter: "x", pagination: { pageSize: 1, token: "" } },
      { filter: "x", pagination: { pageSize: 1, token: "a" } },
    ]);
  });

  it("yields pages one by one with pages()", async () => {
    const s = server({ "": { items: [1], pagination: { nextToken: "a" } }, a: { items: [] } });
    const pages: Page[] = [];
    for await (const page of s.list().pages()) pages.push(page);
    expect(pages.map((p) => p.items)).toEqual([[1], []]);
  });

  it("fetches nothing until iterated, and stops fetching when the caller stops", async () => {
    const s = server({ "": { items: [1, 2], pagination: { nextToken: "a" } }, a: { items: [3] } });
    const list = s.list();
    expect(s.requests).toHaveLength(0);
    for await (const item of list) if (item === 1) break;
    expect(s.requests).toHaveLength(1);
  });

  it("fails loudly when a server hands back a token already used, instead of looping", async () => {
    const s = server({
      "": { items: [1], pagination: { nextToken: "a" } },
      a: { items: [2], pagination: { nextToken: "b" } },
      b: { items: [3], pagination: { nextToken: "a" } },
    });
    const error = await s.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect((error as PaginationLoopError).message).toMatch(/test\.v1\.S\/List: page 3 came back with a next token already used/);
    expect(s.requests).toHaveLength(3);
  });

  it("counts the starting token as used", async () => {
    const s = server({ a: { items: [1], pagination: { nextToken: "a" } } });
    await expect(s.list({ pagination: { token: "a" } }).toArray()).rejects.toBeInstanceOf(PaginationLoopError);
  });
});
