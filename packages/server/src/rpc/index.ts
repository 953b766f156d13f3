// The handler kit: the RPC plumbing a service implementation needs, from one import —
//   import { defineHandlers, callerOf, paginate, notFound } from "../../rpc/index.js";
// Domain records and rules come from their own doors (domain/<name>/index.ts). See HANDLERS.md.
export { defineHandlers, defineService, type HandlerGroup, type ServiceImplementation } from "./define-service.js";
export type { HandlerDeps } from "../handler-deps.js";
export { callerOf, caller, type Caller } from "../auth/caller.js";
export { sendHeadersNow } from "./early-headers.js";
export { Principal, type TokenStore, type TokenOwner } from "../auth/token-store.js";
export {
  paginate,
  paginateArray,
  pageSizeOf,
  defaultPageSize,
  maxPageSize,
  type Page,
  type PaginateOptions,
  type PaginateArrayOptions,
} from "../pagination/index.js";
export {
  invalidArgument,
  notFound,
  notFoundAt,
  failedPreconditionAt,
  alreadyExists,
  failedPrecondition,
  permissionDenied,
  unauthenticated,
  resourceExhausted,
} from "../errors.js";
export type { Clock } from "../clock.js";
export type { IdGenerator } from "../ids.js";
export {
  messageCollection,
  plainCollection,
  StoreError,
  type Collection,
  type CollectionSpec,
  type StoredRecord,
  type Store,
  type Transaction,
  type ListQuery,
  type ListResult,
  type Scope,
} from "../store/store.js";
export { recordsWhere, deleteWhere } from "../store/scan.js";
