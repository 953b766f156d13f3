// Page sizes of the SCM listings, which page over the SCM catalogue rather than a store
// collection: the same rules as every List RPC (0 means 25, at most 100).
import type { PaginationRequest } from "@gitpod-connect/schema/gitpod/v1/pagination";
import { defaultPageSize, invalidArgument, maxPageSize } from "../../kit.js";

/** The request's page size, or `fallback` (else 25) when it is 0. Throws invalid_argument naming pagination.page_size. */
export function pageSizeOf(pagination: PaginationRequest | undefined, fallback = 0): number {
  const size = pagination?.pageSize ?? 0;
  if (!Number.isInteger(size) || size < 0 || size > maxPageSize)
    throw invalidArgument("pagination.page_size", `must be between 0 and ${maxPageSize}`);
  return size || fallback || defaultPageSize;
}
