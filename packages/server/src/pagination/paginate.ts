// One helper for every List RPC: reads the request's PaginationRequest, verifies its token,
// reads one page from a collection (`paginate`) or from a list computed in memory
// (`paginateArray`), and returns the page plus the PaginationResponse to send.
import { create } from "@bufbuild/protobuf";
import {
  PaginationResponseSchema,
  type PaginationRequest,
  type PaginationResponse,
} from "@gitpod-connect/schema/gitpod/v1/pagination";
import { invalidArgument } from "../errors.js";
import { fingerprint, type PageTokens } from "./page-token.js";
import type { Collection, StoredRecord } from "../store/store.js";

/** Page size when the request leaves it 0. */
export const defaultPageSize = 25;
/** Largest page size a request may ask for. */
export const maxPageSize = 100;

export interface PaginateOptions<T> {
  /** The collection to list. */
  collection: Collection<T>;
  /** Only records of this organization: normally callerOf(ctx).organizationId. */
  organizationId: string;
  /** The request's `pagination` field as received (may be undefined). */
  pagination: PaginationRequest | undefined;
  /**
   * The request's filter (any value, typically the `filter` message). A page token only works
   * with the same filter it was issued for.
   */
  filter?: unknown;
  /** Keeps only records matching the filter. */
  where?: (value: T, record: StoredRecord<T>) => boolean;
  /** "desc": newest first. Default creation order. */
  order?: "asc" | "desc";
  /** The values are only read (answered as they are): see ReadOptions in store.ts. */
  readOnly?: boolean;
}

export interface Page<T> {
  /** The values on this page, in creation order. */
  values: T[];
  /** The records on this page (values plus id, version, …). */
  records: StoredRecord<T>[];
  /** Put this into the response's `pagination` field. */
  pagination: PaginationResponse;
}

/**
 * The request's page size, or `fallback` (else 25) when it is 0. Throws invalid_argument naming
 * pagination.page_size outside 0–100.
 */
export function pageSizeOf(pagination: PaginationRequest | undefined, fallback = 0): number {
  const size = pagination?.pageSize ?? 0;
  if (!Number.isInteger(size) || size < 0 || size > maxPageSize)
    throw invalidArgument("pagination.page_size", `must be between 0 and ${maxPageSize}`);
  return size || fallback || defaultPageSize;
}

const bindingOf = (name: string, organizationId: string, filter: unknown) => `${name}\n${organizationId}\n${fingerprint(filter)}`;

/** Reads one page. Throws invalid_argument for a bad page size or page token. */
export async function paginate<T>(pageTokens: PageTokens, options: PaginateOptions<T>): Promise<Page<T>> {
  const { collection, organizationId, pagination } = options;
  const limit = pageSizeOf(pagination);
  const order = options.order ?? "asc";
  const binding = bindingOf(`${collection.spec.name} ${order}`, organizationId, options.filter);
  const token = pagination?.token ?? "";
  const after = token === "" ? undefined : pageTokens.read(token, binding);
  const result = await collection.list({
    organizationId,
    limit,
    order,
    ...(after !== undefined ? { after } : {}),
    ...(options.where ? { where: options.where } : {}),
    ...(options.readOnly ? { readOnly: true } : {}),
  });
  return {
    values: result.items.map((r) => r.value),
    records: result.items,
    pagination: create(PaginationResponseSchema, {
      nextToken: result.next === undefined ? "" : pageTokens.issue(result.next, binding),
    }),
  };
}

export interface PaginateArrayOptions<T> {
  /** Names the list (e.g. the RPC): tokens of one list do not work for another. */
  name: string;
  organizationId: string;
  pagination: PaginationRequest | undefined;
  /** Everything the list depends on besides the organization (filter, caller, …): tokens are bound to it. */
  filter?: unknown;
  /** The whole list, already filtered and in its final order. */
  items: readonly T[];
}

/**
 * One page of a list computed in memory (e.g. the SCM catalogue), with page tokens verified and bound
 * like `paginate`'s; the cursor is an offset. Throws invalid_argument for a bad page size or token.
 */
export function paginateArray<T>(pageTokens: PageTokens, options: PaginateArrayOptions<T>): { values: T[]; pagination: PaginationResponse } {
  const limit = pageSizeOf(options.pagination);
  const binding = bindingOf(`${options.name} (in memory)`, options.organizationId, options.filter);
  const token = options.pagination?.token ?? "";
  const offset = token === "" ? 0 : pageTokens.read(token, binding);
  const next = offset + limit;
  return {
    values: options.items.slice(offset, next),
    pagination: create(PaginationResponseSchema, { nextToken: next < options.items.length ? pageTokens.issue(next, binding) : "" }),
  };
}
