// @gitpod-connect/server: the reference server of the Gitpod v1 API, embeddable.
export { startServer, type StartServerOptions, type RunningServer } from "./start-server.js";
export { createRoutes, mountedServices, type RoutesOptions } from "./rpc/routes.js";
export { createRequestHandler, type RequestHandlerOptions, type NodeRequestHandler } from "./http/request-handler.js";
export { createOnePortServer, type OnePortServer } from "./http/one-port-server.js";
export { createHandlerDeps } from "./handler-deps.js";
export { bootstrap, type Bootstrap, type BootstrapOptions } from "./bootstrap.js";
export { defaultDataDir, loadConfig, parseConfigObject, storeConfigOf, type ServerConfig, type OrganizationConfig, type UserConfig } from "./config.js";
export { controllableClock, systemClock, manualClock, type Clock, type ControllableClock, type ManualClock } from "./clock.js";
export { randomIds, sequentialIds } from "./ids.js";
export { createMemoryStore, type MemoryStore } from "./store/memory-store.js";
export { openStore, type OpenedStore, type StoreConfig } from "./store/open-store.js";
export { createSqlStore, type SqlStore, type SqlStoreOptions } from "./store/sql/sql-store.js";
export { MigrationError, latestVersion as latestStoreVersion } from "./store/sql/migrations.js";
export { openPglite } from "./store/sql/pglite-client.js";
export { openPostgres } from "./store/sql/pg-client.js";
export type { SqlClient, SqlQueryable } from "./store/sql/sql-client.js";
export { createPageTokens, type PageTokens } from "./pagination/index.js";
export { serviceImplementations } from "./services/index.js";
export {
  addScmOrganization,
  addScmRepository,
  type ScmOrganizationRecord,
  type ScmPullRequestRecord,
  type ScmRepositoryRecord,
} from "./domain/scm/index.js";
export { RpcFailures, InvalidRpcFailure, type RpcFailure, type RpcFailureInit } from "./testing/rpc-failures.js";
export { earlyHeadersKey, type SendHeaders } from "./rpc/early-headers.js";
export {
  createReflectionSchema,
  isReflectionService,
  mountReflection,
  reflectionServices,
  type ReflectionSchema,
} from "./reflection/index.js";
export * from "./rpc/index.js";
