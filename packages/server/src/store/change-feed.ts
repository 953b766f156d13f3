// The change feed every store keeps (Store.onCommit): listeners called with each commit's writes.
// A listener that throws is reported and does not keep the others from hearing of the commit.
import type { ChangeListener, StoreChange } from "./store.js";

export interface ChangeFeed {
  onCommit(this: void, listener: ChangeListener): () => void;
  /** Whether anyone listens (a store may skip collecting changes otherwise). */
  readonly listening: boolean;
  /** Hands one commit's writes to every listener (nothing for a commit that wrote nothing). */
  emit(this: void, changes: readonly StoreChange[]): void;
}

export function createChangeFeed(): ChangeFeed {
  const listeners = new Set<ChangeListener>();
  return {
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get listening() {
      return listeners.size > 0;
    },
    emit(changes) {
      if (changes.length === 0) return;
      for (const listener of listeners) {
        try {
          listener(changes);
        } catch (e) {
          console.error("store change listener failed", e);
        }
      }
    },
  };
}
