// Lists that follow next_token across pages. Every list RPC of the schema takes a
// PaginationRequest `pagination` and answers with one repeated field of items and a
// PaginationResponse `pagination`; an empty next_token ends the list. A server that hands back
// a token already used would make a naive loop spin forever, so that fails loudly instead.

/** A list across all its pages: iterate it for the items, or page by page with pages(). */
export interface Paginated<Item, Page> extends AsyncIterable<Item> {
  /** The responses, one per page. */
  pages(): AsyncIterable<Page>;
  /** Every item of every page, in order. */
  toArray(): Promise<Item[]>;
}

/** A server answered with a next token it had handed out before in the same listing. */
export class PaginationLoopError extends Error {
  constructor(
    readonly procedure: string,
    readonly token: string,
    readonly pages: number,
  ) {
    super(`${procedure}: page ${pages} came back with a next token already used in this listing (${JSON.stringify(token)}); stopping instead of looping`);
    this.name = "PaginationLoopError";
  }
}

interface PageRequest {
  pagination?: { token?: string; pageSize?: number };
}

/**
 * Builds a Paginated over `fetchPage`: `request` is sent with each page's token (its page size
 * kept); `items` takes the items out of a page, `nextToken` its next token.
 */
export function paginate<Req extends PageRequest, Page, Item>(
  procedure: string,
  request: Req,
  fetchPage: (request: Req) => Promise<Page>,
  items: (page: Page) => readonly Item[],
  nextToken: (page: Page) => string,
): Paginated<Item, Page> {
  async function* pages(): AsyncGenerator<Page> {
    const first = request.pagination?.token ?? "";
    const seen = new Set<string>(first === "" ? [] : [first]);
    let token = first;
    for (let n = 1; ; n++) {
      const page = await fetchPage({ ...request, pagination: { ...request.pagination, token } });
      yield page;
      token = nextToken(page);
      if (token === "") return;
      if (seen.has(token)) throw new PaginationLoopError(procedure, token, n);
      seen.add(token);
    }
  }
  async function* all(): AsyncGenerator<Item> {
    for await (const page of pages()) yield* items(page);
  }
  return {
    [Symbol.asyncIterator]: () => all(),
    pages,
    async toArray() {
      const out: Item[] = [];
      for await (const item of all()) out.push(item);
      return out;
    },
  };
}
