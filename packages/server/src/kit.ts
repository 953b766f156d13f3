// The handler kit: everything a service implementation needs, from one import.
//   import { defineService, callerOf, paginate, notFound, runners } from "../kit.js";
// See HANDLERS.md.
export { defineService, type ServiceImplementation } from "./service-implementation.js";
export type { HandlerDeps } from "./handler-deps.js";
export { callerOf, caller, type Caller } from "./auth/caller.js";
export { Principal, type TokenStore, type TokenOwner } from "./auth/token-store.js";
export {
  paginate,
  paginateArray,
  pageSizeOf,
  defaultPageSize,
  maxPageSize,
  type Page,
  type PaginateOptions,
  type PaginateArrayOptions,
} from "./paginate.js";
export {
  invalidArgument,
  notFound,
  alreadyExists,
  failedPrecondition,
  permissionDenied,
  unauthenticated,
  resourceExhausted,
} from "./errors.js";
export type { Clock } from "./clock.js";
export type { IdGenerator } from "./ids.js";
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
} from "./store/store.js";
export { recordsWhere, deleteWhere } from "./store/scan.js";
export {
  runners,
  environmentClasses,
  hostAuthenticationTokens,
  scmIntegrations,
  type HostTokenRecord,
  type ScmIntegrationRecord,
} from "./collections.js";
