// Rebuilds a YAML request example whose line breaks (and so its indentation) were lost, using the
// request message's own fields to decide where each key belongs.
//
//   environmentId: "07e…" metadata: reference: "redis" name: "Redis" spec: commands: start: "x"
//
// reads as: environmentId and metadata are fields of the request; reference and name are fields
// of metadata; spec is not, so it closes metadata and goes to the nearest enclosing message that
// has it (the request); commands is a field of spec, start a field of commands.
//
// Rules, in order:
// - The first key after `key:` (or after `-`) opens that key's value: it goes into it, whatever it is.
// - Later keys go into the innermost open message that has a field of that name (JSON or proto
//   name) not yet set; otherwise they close containers until one does.
// - A map (or a google.protobuf.Struct) takes any key as an entry, but only when no enclosing open
//   message has that field: `services: web: … tasks: …` closes the map at `tasks`. Without
//   indentation this is the only reading the schema allows; an entry named like an enclosing
//   field cannot be told apart.
// - `-` starts an item of the innermost open block list; `- key: value` starts a message item.
// - A key that no open message has is kept (in the innermost open message) and reported, so the
//   strict parse of the example names it, instead of the extractor guessing.
// Scalar and flow values (`"x"`, `20`, `true`, `["a", "b"]`, `{a: 1}`) are parsed by the yaml
// package. Keys are kept exactly as written.
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { parse as parseYaml } from "yaml";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

type Token =
  | { type: "key"; key: string }
  | { type: "dash" }
  | { type: "value"; value: Json; text: string };

type Frame =
  | { kind: "message"; desc: DescMessage; object: JsonObject; fresh: boolean; path: string }
  // Entries of a map, a Struct, or of a key the schema does not know: any key is an entry.
  // `value` is the map's value message, "scalar" for maps of scalars or enums, undefined if unknown.
  | { kind: "entries"; value: DescMessage | "scalar" | undefined; object: JsonObject; fresh: boolean; path: string }
  | { kind: "list"; item: DescMessage | undefined; array: Json[]; path: string };

export interface FlatYamlResult {
  value: JsonObject;
  /** Keys that no open message had a field for (kept where they appeared). */
  unknownKeys: string[];
}

const KEY = /^([^\s"'[\]{},#&*!|>%@`]+):$/;
const UNSUPPORTED = /^[#&*!|>%@`?]|^---$/;

function parseScalar(text: string): Json {
  const value = parseYaml(text, { schema: "core", strict: true, uniqueKeys: true }) as unknown;
  const check = (v: unknown): Json => {
    if (typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v)) {
      throw new Error(`integer ${text} is not exact in JSON numbers`);
    }
    if (v === null || ["boolean", "number", "string"].includes(typeof v)) return v as Json;
    if (Array.isArray(v)) return v.map(check);
    if (typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, check(x)]));
    throw new Error(`unsupported YAML value ${text}`);
  };
  return check(value);
}

/** The end (exclusive) of a quoted scalar or flow collection starting at `start`. */
function scanBalanced(text: string, start: number): number {
  const closers: string[] = [];
  let i = start;
  do {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if (c === "'") {
      i++;
      while (i < text.length && !(text[i] === "'" && text[i + 1] !== "'")) i += text[i] === "'" ? 2 : 1;
    } else if (c === "[" || c === "{") {
      closers.push(c === "[" ? "]" : "}");
    } else if (c === "]" || c === "}") {
      if (closers.pop() !== c) throw new Error(`unbalanced "${c}" in ${text.slice(start)}`);
    }
    if (i >= text.length) throw new Error(`unterminated value in ${text.slice(start)}`);
    i++;
  } while (closers.length > 0);
  return i;
}

/** Splits flattened YAML into keys, dashes and values; consecutive plain words form one value. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const c = text[i]!;
    if (c === '"' || c === "'" || c === "[" || c === "{") {
      const end = scanBalanced(text, i);
      const raw = text.slice(i, end);
      i = end;
      if ((c === '"' || c === "'") && text[i] === ":" && (i + 1 === text.length || /\s/.test(text[i + 1]!))) {
        tokens.push({ type: "key", key: parseScalar(raw) as string });
        i++;
      } else {
        tokens.push({ type: "value", value: parseScalar(raw), text: raw });
      }
      continue;
    }
    let end = i;
    while (end < text.length && !/\s/.test(text[end]!)) end++;
    const word = text.slice(i, end);
    i = end;
    const key = KEY.exec(word);
    if (word === "-") tokens.push({ type: "dash" });
    else if (key) tokens.push({ type: "key", key: key[1]! });
    else if (UNSUPPORTED.test(word)) throw new Error(`unsupported YAML syntax "${word}"`);
    else {
      const previous = tokens[tokens.length - 1];
      if (previous?.type === "value" && !/^["'[{]/.test(previous.text)) {
        // A plain scalar that spanned several lines: YAML folds the lines with single spaces.
        previous.text = `${previous.text} ${word}`;
        previous.value = parseScalar(previous.text);
      } else {
        tokens.push({ type: "value", value: parseScalar(word), text: word });
      }
    }
  }
  return tokens;
}

function fieldOf(desc: DescMessage, key: string): DescField | undefined {
  return desc.fields.find((f) => f.jsonName === key || f.name === key);
}

/** Messages whose JSON is an object of arbitrary keys rather than of their fields. */
function isFreeForm(desc: DescMessage): boolean {
  return desc.typeName.startsWith("google.protobuf.");
}

/**
 * Parses one flattened YAML example into the JSON object of `root`.
 */
export function parseFlatYaml(text: string, root: DescMessage): FlatYamlResult {
  const tokens = tokenize(text);
  const unknownKeys: string[] = [];
  const value: JsonObject = {};
  const stack: Frame[] = [{ kind: "message", desc: root, object: value, fresh: false, path: root.typeName }];

  const messageTakes = (frame: Frame, key: string) =>
    frame.kind === "message" && fieldOf(frame.desc, key) !== undefined && !(key in frame.object);
  const takes = (depth: number, key: string): boolean => {
    const frame = stack[depth]!;
    if (frame.kind === "list") return false;
    if (key in frame.object) return false;
    if (frame.fresh) return true;
    if (frame.kind === "message") return messageTakes(frame, key);
    // Entries: only if no enclosing message claims the key.
    return !stack.slice(0, depth).some((outer) => messageTakes(outer, key));
  };

  /** Opens the value of `key` in `frame`, based on the next token. */
  const open = (frame: Exclude<Frame, { kind: "list" }>, key: string, next: Token | undefined) => {
    frame.fresh = false;
    const path = `${frame.path}.${key}`;
    // What the schema says the key holds.
    let field: DescField | undefined;
    let entry: DescMessage | "scalar" | undefined;
    if (frame.kind === "message") {
      field = fieldOf(frame.desc, key);
      if (!field) unknownKeys.push(path);
    } else {
      entry = frame.value;
    }
    if (next?.type === "value") {
      frame.object[key] = next.value;
      return 1;
    }
    if (next?.type === "dash") {
      const array: Json[] = [];
      frame.object[key] = array;
      const item =
        field?.fieldKind === "list" && field.listKind === "message" && !isFreeForm(field.message) ? field.message : undefined;
      stack.push({ kind: "list", item, array, path });
      return 0;
    }
    if (next === undefined || !holdsKeys(field, entry)) {
      frame.object[key] = null; // `key:` with nothing after it, or before a key it cannot hold
      return 0;
    }
    const object: JsonObject = {};
    frame.object[key] = object;
    const message = typeof entry === "object" ? entry : field?.fieldKind === "message" ? field.message : undefined;
    if (message && !isFreeForm(message)) {
      stack.push({ kind: "message", desc: message, object, fresh: true, path });
    } else {
      const entryValue = field?.fieldKind === "map" ? (field.mapKind === "message" ? field.message : "scalar") : undefined;
      stack.push({ kind: "entries", value: entryValue, object, fresh: true, path });
    }
    return 0;
  };
  /** Whether `key:` followed by another key nests it: not when the schema says it holds a scalar. */
  const holdsKeys = (field: DescField | undefined, entry: DescMessage | "scalar" | undefined) =>
    entry !== "scalar" && (field === undefined || field.fieldKind === "message" || field.fieldKind === "map");

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === "value") {
      throw new Error(`value ${token.text} without a key at ${stack[stack.length - 1]!.path}`);
    }
    if (token.type === "dash") {
      let depth = stack.length - 1;
      while (depth >= 0 && stack[depth]!.kind !== "list") depth--;
      if (depth < 0) throw new Error(`"-" outside a block list`);
      stack.length = depth + 1;
      const list = stack[depth] as Extract<Frame, { kind: "list" }>;
      const next = tokens[i + 1];
      if (next?.type === "value") {
        list.array.push(next.value);
        i++;
      } else if (next?.type === "key") {
        const object: JsonObject = {};
        list.array.push(object);
        const path = `${list.path}[${list.array.length - 1}]`;
        stack.push(
          list.item
            ? { kind: "message", desc: list.item, object, fresh: true, path }
            : { kind: "entries", value: undefined, object, fresh: true, path },
        );
      } else {
        throw new Error(`"-" without an item at ${list.path}`);
      }
      continue;
    }
    let depth = stack.length - 1;
    while (depth >= 0 && !takes(depth, token.key)) depth--;
    if (depth < 0) {
      // No open message has this field: keep it in the innermost object, and say so.
      depth = stack.length - 1;
      while (stack[depth]!.kind === "list") depth--;
      if (token.key in (stack[depth] as { object: JsonObject }).object) {
        throw new Error(`key "${token.key}" set twice at ${stack[depth]!.path}`);
      }
    }
    stack.length = depth + 1;
    i += open(stack[depth] as Exclude<Frame, { kind: "list" }>, token.key, tokens[i + 1]);
  }
  return { value, unknownKeys };
}
