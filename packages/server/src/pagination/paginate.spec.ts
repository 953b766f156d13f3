import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { PaginationRequestSchema } from "@gitpod-connect/schema/gitpod/v1/pagination";
import { describe, expect, it } from "vitest";
import { createPageTokens } from "./page-token.js";
import { paginate, paginateArray } from "./paginate.js";
import { createMemoryStore } from "../store/memory-store.js";
import { plainCollection } from "../store/store.js";
import { tamper } from "../test-support/expectations.js";

const things = plainCollection<{ n: number }>("things", "thing");

async function setup(count: number) {
  const store = createMemoryStore();
  const collection = store.collection(things);
  for (let i = 0; i < count; i++) await collection.insert({ id: `t${i}`, organizationId: i % 2 ? "b" : "a", value: { n: i } });
  return { collection, pageTokens: createPageTokens() };
}

describe("paginate", () => {
  it("returns 25 items by default and a token that fetches the rest in order", async () => {
    const { collection, pageTokens } = await setup(120);
    const seen: number[] = [];
    let token = "";
    let pages = 0;
    do {
      const page = await paginate(pageTokens, {
        collection,
        organizationId: "a",
        pagination: create(PaginationRequestSchema, { token }),
      });
      pages += 1;
      if (pages === 1) expect(page.values).toHaveLength(25);
      seen.push(...page.values.map((v) => v.n));
      token = page.pagination.nextToken;
    } while (token !== "");
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i * 2));
  });

  it("honours the page size up to 100 and refuses more", async () => {
    const { collection, pageTokens } = await setup(300);
    const page = await paginate(pageTokens, { collection, organizationId: "a", pagination: create(PaginationRequestSchema, { pageSize: 100 }) });
    expect(page.values).toHaveLength(100);
    await expect(
      paginate(pageTokens, { collection, organizationId: "a", pagination: create(PaginationRequestSchema, { pageSize: 101 }) }),
    ).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: expect.stringMatching(/^pagination\.page_size/) });
  });

  it("applies the filter and binds the token to it", async () => {
    const { collection, pageTokens } = await setup(100);
    const filter = { min: 50 };
    const first = await paginate(pageTokens, {
      collection,
      organizationId: "a",
      pagination: create(PaginationRequestSchema, { pageSize: 5 }),
      filter,
      where: (v) => v.n >= filter.min,
    });
    expect(first.values.map((v) => v.n)).toEqual([50, 52, 54, 56, 58]);
    await expect(
      paginate(pageTokens, {
        collection,
        organizationId: "a",
        pagination: create(PaginationRequestSchema, { pageSize: 5, token: first.pagination.nextToken }),
        filter: { min: 0 },
      }),
    ).rejects.toMatchObject({ code: Code.InvalidArgument });
  });

  it("rejects a page token from another organization's listing", async () => {
    const { collection, pageTokens } = await setup(100);
    const first = await paginate(pageTokens, { collection, organizationId: "a", pagination: create(PaginationRequestSchema, { pageSize: 5 }) });
    await expect(
      paginate(pageTokens, {
        collection,
        organizationId: "b",
        pagination: create(PaginationRequestSchema, { token: first.pagination.nextToken }),
      }),
    ).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: expect.stringMatching(/^pagination\.token/) });
  });

  it("gives an empty next token on the last page", async () => {
    const { collection, pageTokens } = await setup(4);
    const page = await paginate(pageTokens, { collection, organizationId: "a", pagination: undefined });
    expect(page.values).toHaveLength(2);
    expect(page.pagination.nextToken).toBe("");
  });
});

describe("paginateArray", () => {
  const items = Array.from({ length: 12 }, (_, i) => i);
  const options = (token: string, filter: unknown = { q: "x" }, organizationId = "a", pageSize = 5) => ({
    name: "ListThings",
    organizationId,
    pagination: create(PaginationRequestSchema, { token, pageSize }),
    filter,
    items,
  });

  it("pages an in-memory list in order with tokens, the last page without one", () => {
    const pageTokens = createPageTokens();
    const seen: number[] = [];
    let token = "";
    let pages = 0;
    do {
      const page = paginateArray(pageTokens, options(token));
      seen.push(...page.values);
      token = page.pagination.nextToken;
      pages++;
    } while (token !== "");
    expect(seen).toEqual(items);
    expect(pages).toBe(3);
  });

  it("rejects a tampered token, and a token of another filter, organization or list, naming pagination.token", () => {
    const pageTokens = createPageTokens();
    const token = paginateArray(pageTokens, options("")).pagination.nextToken;
    const code = (f: () => unknown) => {
      try {
        f();
        return undefined;
      } catch (e) {
        return (e as { code?: Code; rawMessage?: string }).rawMessage?.startsWith("pagination.token") ? (e as { code: Code }).code : "other";
      }
    };
    expect(code(() => paginateArray(pageTokens, options(tamper(token))))).toBe(Code.InvalidArgument);
    expect(code(() => paginateArray(pageTokens, options(token, { q: "y" })))).toBe(Code.InvalidArgument);
    expect(code(() => paginateArray(pageTokens, options(token, { q: "x" }, "b")))).toBe(Code.InvalidArgument);
    expect(code(() => paginateArray(pageTokens, { ...options(token), name: "ListOthers" }))).toBe(Code.InvalidArgument);
    expect(code(() => paginateArray(pageTokens, options(token)))).toBeUndefined();
  });

  it("checks the page size like paginate", () => {
    expect(() => paginateArray(createPageTokens(), options("", {}, "a", 101))).toThrow(/pagination.page_size/);
    expect(paginateArray(createPageTokens(), options("", {}, "a", 0)).values).toHaveLength(12);
  });
});
