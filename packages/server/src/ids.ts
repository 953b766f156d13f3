// Resource ids: UUIDs, as the Gitpod API uses everywhere. New ids are version 7 (RFC 9562):
// time-ordered, like the real API's newer ids, so that "sorted by id" is creation order.
import { randomBytes } from "node:crypto";

export interface IdGenerator {
  /** A new UUID (lowercase, 36 characters). */
  newId(): string;
}

/** UUIDv7 ids: 48 bits of milliseconds, a 12-bit sequence within the same millisecond, 62 random bits. */
export function uuidV7Ids(now: () => number = Date.now): IdGenerator {
  let lastMs = -1;
  let sequence = 0;
  return {
    newId() {
      let ms = now();
      if (ms <= lastMs) {
        ms = lastMs;
        sequence += 1;
        // 4096 ids in one millisecond: borrow the next one, so ids still increase.
        if (sequence > 0xfff) {
          ms += 1;
          sequence = 0;
        }
      } else sequence = 0;
      lastMs = ms;
      const bytes = randomBytes(16);
      bytes.writeUIntBE(ms, 0, 6);
      bytes[6] = 0x70 | (sequence >> 8);
      bytes[7] = sequence & 0xff;
      bytes[8] = 0x80 | (bytes[8]! & 0x3f);
      const hex = bytes.toString("hex");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}

export const randomIds: IdGenerator = uuidV7Ids();

/** Deterministic ids for tests: 00000000-0000-4000-8000-000000000001, …02, … (increasing, as v7 ids are). */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return {
    newId() {
      n += 1;
      return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
    },
  };
}
