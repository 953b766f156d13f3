// A list RPC as a function returning all its pages (paginate.ts) instead of one.
import type { DescMethod } from "@bufbuild/protobuf";
import type { GitpodCallOptions } from "../behaviour/call-options.js";
import { paginate, type Paginated } from "./paginate.js";

interface PageRequest {
  pagination?: { token?: string; pageSize?: number };
}
interface PageResponse {
  pagination?: { nextToken: string } | undefined;
}
/** The keys of T whose values are arrays: the items field of a list response. */
type ArrayKeys<T> = { [K in keyof T]-?: T[K] extends readonly unknown[] ? K : never }[keyof T];
type ItemOf<T> = T extends readonly (infer I)[] ? I : never;

export type ListFn<Req, Page, Item> = (request?: Req, options?: GitpodCallOptions) => Paginated<Item, Page>;

export function lister<Req extends PageRequest, Page extends PageResponse, K extends ArrayKeys<Page>>(
  method: DescMethod,
  call: (request: Req, options?: GitpodCallOptions) => Promise<Page>,
  items: K,
): ListFn<Req, Page, ItemOf<Page[K]>> {
  const procedure = `${method.parent.typeName}/${method.name}`;
  return (request, options) =>
    paginate(
      procedure,
      request ?? ({} as Req),
      (req) => call(req, options),
      (page) => page[items] as readonly ItemOf<Page[K]>[],
      (page) => page.pagination?.nextToken ?? "",
    );
}
