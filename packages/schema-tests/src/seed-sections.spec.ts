import { describe, expect, it } from "vitest";
import { parseRpcSections } from "./seed-sections.js";

// A page shaped like the seeds: one line, headings and code fences inline.
const page = [
  "# Things ## CreateThing `things.create(**kwargs)` **post** `/gitpod.v1.ThingService/CreateThing`",
  "Creates a thing. ### Examples - Make one: Makes a thing. ```yaml name: \"one\" ```",
  "- Make two: Makes another. ```yaml name: \"two\" tags: [\"a\"] ``` ### Parameters - `name: str`",
  "# Examples Example 1: stray heading copied from a comment # JSON Mapping more ### Returns - `id: str`",
  "### Example ```python print(\"## not a heading\") # comment ``` #### Response ```json { \"id\": \"1\" } ```",
  "## Domain Types ### Thing - `class Thing: …` ```python Thing() ```",
  "# Others ## DeleteThing `things.delete()` **post** `/gitpod.v1.ThingService/DeleteThing` ### Examples",
  "- Delete: ```yaml id: \"1\" ``` ### Example ```python x ``` #### Response ```json {} ```",
].join(" ");

describe("parseRpcSections", () => {
  it("finds each RPC's request and response examples in page order, with their titles", () => {
    expect(parseRpcSections(page)).toEqual([
      {
        service: "gitpod.v1.ThingService",
        method: "CreateThing",
        examples: [
          { kind: "request", index: 1, title: "Make one", description: "Makes a thing.", source: 'name: "one"' },
          { kind: "request", index: 2, title: "Make two", description: "Makes another.", source: 'name: "two" tags: ["a"]' },
          { kind: "response", index: 1, title: "", description: "", source: '{ "id": "1" }' },
        ],
      },
      {
        service: "gitpod.v1.ThingService",
        method: "DeleteThing",
        examples: [
          { kind: "request", index: 1, title: "Delete", description: "", source: 'id: "1"' },
          { kind: "response", index: 1, title: "", description: "", source: "{}" },
        ],
      },
    ]);
  });

  it("rejects a yaml block outside an RPC's examples", () => {
    expect(() => parseRpcSections("## Domain Types ### Thing ```yaml a: 1 ```")).toThrow(/unexpected ```yaml block/);
  });

  it("rejects a json block that is not under Response", () => {
    const text = "## A `a()` **post** `/gitpod.v1.S/A` ### Returns ```json {} ```";
    expect(() => parseRpcSections(text)).toThrow(/unexpected ```json block under "### Returns" \(gitpod.v1.S\/A\)/);
  });

  it("rejects a section whose heading names another method than its route", () => {
    expect(() => parseRpcSections("## A `a()` **post** `/gitpod.v1.S/B`")).toThrow(/documents route gitpod.v1.S\/B/);
  });

  it("rejects an unterminated code block", () => {
    expect(() => parseRpcSections("## A **post** `/gitpod.v1.S/A` ### Examples - x: y ```yaml a: 1")).toThrow(/unterminated/);
  });
});
