// Resource ids: random UUID v4, as the Gitpod API uses everywhere.
import { randomUUID } from "node:crypto";

export interface IdGenerator {
  /** A new UUID v4 (lowercase, 36 characters). */
  newId(): string;
}

export const randomIds: IdGenerator = { newId: () => randomUUID() };

/** Deterministic v4-shaped ids for tests: 00000000-0000-4000-8000-000000000001, …02, … */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return {
    newId() {
      n += 1;
      return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
    },
  };
}
