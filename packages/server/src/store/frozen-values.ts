// What the memory store keeps: values frozen (read-only reads hand them out as they are, see
// store.ts ReadOptions) and laid out compactly, since a server may hold a million of them.
//
// A protobuf-es message is a plain object that starts as `{ $typeName }` and gets its fields one
// by one, so V8 keeps most of them in a separately allocated, over-sized property store; and every
// unset repeated field is an empty array of its own. Here each message is rebuilt by a constructor
// made once per message shape (type and field names, in order), which V8 lays out with exactly
// those fields inside the object, and every empty array or empty map is one shared frozen
// instance. The result is the same message — same fields, same order, same prototype — in about
// two thirds of the heap (packages/bench: heap per stored environment).
//
// Only what this module builds is shared or rebuilt: Map, Set, typed arrays and class instances
// are frozen where they can be and otherwise left as they are.

const emptyArray: readonly unknown[] = Object.freeze([]);
const emptyPlainObject = Object.freeze({});
const emptyNullObject = Object.freeze(Object.create(null) as object);

type Construct = new (source: Record<string, unknown>) => object;
const constructors = new Map<string, Construct>();

/** A constructor assigning exactly `keys`, in order: objects with one shape, fields in-object. */
function constructorFor(keys: readonly string[]): Construct {
  const shape = keys.join("\n");
  let construct = constructors.get(shape);
  if (!construct) {
    // Generated once per shape, with the field names JSON-quoted into the source, so no name can
    // inject code. A constructor is the only way to give V8 a fixed in-object layout for a shape
    // known only at run time (protobuf.js generates its code the same way).
    const body = keys.map((k) => `this[${JSON.stringify(k)}] = source[${JSON.stringify(k)}];`).join("\n");
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const fn = new Function("source", body) as unknown as Construct;
    // Instances keep the prototype protobuf-es messages have.
    fn.prototype = Object.prototype;
    construct = fn;
    constructors.set(shape, construct);
  }
  return construct;
}

function isMessageObject(value: object): value is Record<string, unknown> & { $typeName: string } {
  return typeof (value as { $typeName?: unknown }).$typeName === "string" && Object.getPrototypeOf(value) === Object.prototype;
}

/** `value`, frozen to its leaves and compactly laid out. Consumes `value`: pass a copy of your own. */
export function frozenCompact<T>(value: T): T {
  return compact(value) as T;
}

function compact(value: unknown): unknown {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return emptyArray;
    for (let i = 0; i < value.length; i++) value[i] = compact(value[i]);
    return Object.freeze(value);
  }
  if (value instanceof Map) {
    for (const [k, v] of value) value.set(k, compact(v));
    return Object.freeze(value);
  }
  if (value instanceof Set) return Object.freeze(value);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return Object.freeze(value);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 0) return prototype === null ? emptyNullObject : emptyPlainObject;
  for (const key of keys) record[key] = compact(record[key]);
  if (!isMessageObject(record)) return Object.freeze(record);
  const Construct = constructorFor(keys);
  return Object.freeze(new Construct(record));
}
