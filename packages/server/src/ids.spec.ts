import { describe, expect, it } from "vitest";
import { uuidV7Ids } from "./ids.js";

describe("UUIDv7 ids", () => {
  it("are version 7 UUIDs with the RFC 9562 variant, carrying their millisecond", () => {
    const id = uuidV7Ids(() => 0x0194b7c1c954).newId();
    expect(id).toMatch(/^0194b7c1-c954-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("increase in creation order, also within one millisecond and when the clock steps back", () => {
    let ms = 1_000;
    const ids = uuidV7Ids(() => ms);
    const made: string[] = [];
    for (let i = 0; i < 5_000; i++) made.push(ids.newId());
    ms = 999;
    made.push(ids.newId());
    ms = 2_000;
    made.push(ids.newId());
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });
});
