// One helper for every List RPC: reads the request's PaginationRequest, verifies its token,
// reads one page from a collection, and returns the page plus the PaginationResponse to send.
import { create } from "@bufbuild/protobuf";
import {
  PaginationResponseSchema,
  type PaginationRequest,
  type PaginationResponse,
} from "@gitpod-connect/schema/gitpod/v1/pagination";
import { invalidArgument } from "./errors.js";
import { fingerprint, type PageTokens } from "./page-token.js";
import type { Collection, StoredRecord } from "./store/store.js";

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
}

export interface Page<T> {
  /** The values on this page, in creation order. */
  values: T[];
  /** The records on this page (values plus id, version, …). */
  records: StoredRecord<T>[];
  /** Put this into the response's `pagination` field. */
  pagination: PaginationResponse;
}

/** Reads one page. Throws invalid_argument for a bad page size or page token. */
export async function paginate<T>(pageTokens: PageTokens, options: PaginateOptions<T>): Promise<Page<T>> {
  const { collection, organizationId, pagination } = options;
  const pageSize = pagination?.pageSize ?? 0;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > maxPageSize) {
    throw invalidArgument("pagination.page_size", `must be between 0 and ${maxPageSize}`);
  }
  const limit = pageSize === 0 ? defaultPageSize : pageSize;
  const binding = `${collection.spec.name}\n${organizationId}\n${fingerprint(options.filter)}`;
  const token = pagination?.token ?? "";
  const after = token === "" ? undefined : pageTokens.read(token, binding);
  const result = await collection.list({
    organizationId,
    limit,
    ...(after !== undefined ? { after } : {}),
    ...(options.where ? { where: options.where } : {}),
  });
  return {
    values: result.items.map((r) => r.value),
    records: result.items,
    pagination: create(PaginationResponseSchema, {
      nextToken: result.next === undefined ? "" : pageTokens.issue(result.next, binding),
    }),
  };
}
