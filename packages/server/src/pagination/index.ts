// Pagination for every List RPC: page sizes, verified page tokens bound to the list and its filter.
export * from "./paginate.js";
export { createPageTokens, fingerprint, type PageTokens } from "./page-token.js";
