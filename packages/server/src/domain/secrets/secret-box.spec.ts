import { describe, expect, it } from "vitest";
import { openSecret, sealSecret } from "./secret-box.js";

describe("secret box", () => {
  it("opens what it sealed, with a fresh IV each time", () => {
    const a = sealSecret("ghp_secret");
    const b = sealSecret("ghp_secret");
    expect(openSecret(a)).toBe("ghp_secret");
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(Buffer.from(a).includes(Buffer.from("ghp_secret"))).toBe(false);
  });

  it("refuses an altered, truncated or foreign value", () => {
    const sealed = sealSecret("value");
    for (const i of [0, 5, 20, sealed.length - 1]) {
      const altered = sealed.slice();
      altered[i]! ^= 0x40;
      expect(() => openSecret(altered)).toThrow();
    }
    expect(() => openSecret(sealed.slice(0, 20))).toThrow();
    expect(() => openSecret(new Uint8Array([1, ...new Uint8Array(40)]))).toThrow();
  });

  it("keeps unicode and empty strings intact", () => {
    expect(openSecret(sealSecret("pässwörd 🔑"))).toBe("pässwörd 🔑");
    expect(openSecret(sealSecret(""))).toBe("");
  });
});
