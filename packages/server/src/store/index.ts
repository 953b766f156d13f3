export * from "./store.js";
export { createMemoryStore, type MemoryStore } from "./memory-store.js";
export type { IndexStats } from "./ordered-index.js";
