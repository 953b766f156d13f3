// Compares a type of the official SDK with a message of our schema, structurally, the way proto3
// JSON pairs them: every property of the SDK type must be a field of the message with that JSON name
// (the SDK spells fields in proto3 JSON camelCase), and the walk goes on into the property's type:
//
// | the SDK property's type (also `| null`, `| undefined`) | our field must be                        | then                                   |
// | ------------------------------------------------------ | ---------------------------------------- | -------------------------------------- |
// | an interface                                           | a message                                | walk the interface against the message |
// | `Array<X>`, `X[]`                                      | repeated                                 | X against the element type             |
// | `{ [key: string]: X }`, `Record<string, X>`            | a map                                    | X against the value type               |
// | a union of string literals                             | an enum                                  | each literal is a value name           |
// |                                                        | or a string                              | each literal passes its `string.in` rule, if it has one |
// | `string`, `number`, `boolean`                          | a scalar of that JSON type (or an enum, for `string`) | stop                      |
// | anything                                               | a google.protobuf.* message (Timestamp, Duration, Struct, …) | stop: its JSON form is its own |
//
// What the SDK has and we lack is a difference, one line each:
// `EnvironmentCreateParams.spec.foo → gitpod.v1.EnvironmentSpec has no field with JSON name foo`.
// What we have and the SDK lacks is not: the SDK 0.6.0 is older than our schema and may omit fields.
import { getOption, hasOption, ScalarType, type DescEnum, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { field as fieldRules } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import ts from "typescript";

/** The result of comparing one SDK type with one message. */
export interface SchemaComparison {
  /** One line per thing the SDK has that our schema lacks or types differently; empty when they agree. */
  readonly differences: string[];
  /** The SDK types the walk went through ("EnvironmentSpec.Machine", "Shared.Subject", …). */
  readonly interfaces: Set<string>;
  /** How many SDK properties were matched with a field of ours. */
  readonly properties: number;
  /** How many string literals of the SDK were checked against an enum of ours or a string's `in` rule. */
  readonly literals: number;
  /** Our fields the SDK's properties matched: "gitpod.v1.EnvironmentSpec.machine" (by JSON name). */
  readonly fields: Set<string>;
}

/** The shape of an SDK property type, as proto3 JSON would carry it. */
type Shape =
  | { readonly kind: "list"; readonly element: ts.Type }
  | { readonly kind: "map"; readonly value: ts.Type }
  | { readonly kind: "object"; readonly type: ts.Type }
  | { readonly kind: "literals"; readonly values: readonly string[] }
  | { readonly kind: "string" | "number" | "boolean" | "unknown" }
  | { readonly kind: "other" };

/** What one value of a field is: the field itself, or the element of a list or the value of a map. */
type Target =
  | { readonly kind: "message"; readonly message: DescMessage }
  | { readonly kind: "enum"; readonly enum: DescEnum }
  | { readonly kind: "scalar"; readonly scalar: ScalarType };

const numberScalars = new Set([ScalarType.INT32, ScalarType.UINT32, ScalarType.SINT32, ScalarType.FIXED32, ScalarType.SFIXED32, ScalarType.FLOAT, ScalarType.DOUBLE]);
/** 64-bit integers: proto3 JSON writes them as strings and reads strings or numbers, so either SDK type is right. */
const int64Scalars = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64, ScalarType.SFIXED64]);

/** The JSON types a scalar of ours may take in the SDK's declarations. */
function sdkKindsOf(scalar: ScalarType): readonly Shape["kind"][] {
  if (scalar === ScalarType.BOOL) return ["boolean"];
  if (scalar === ScalarType.STRING || scalar === ScalarType.BYTES) return ["string"];
  if (int64Scalars.has(scalar)) return ["string", "number"];
  if (numberScalars.has(scalar)) return ["number"];
  return [];
}

/** The data properties of an SDK type: no methods, nothing private or protected, no symbol keys. */
function dataProperties(type: ts.Type, checker: ts.TypeChecker): ts.Symbol[] {
  return checker.getPropertiesOfType(type).filter((property) => {
    if (property.name.startsWith("__@") || property.name.startsWith("#")) return false;
    const declaration = property.valueDeclaration;
    if (!declaration) return true;
    if (!ts.isPropertySignature(declaration) && !ts.isPropertyDeclaration(declaration)) return false;
    return (ts.getCombinedModifierFlags(declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
  });
}

function shapeOf(type: ts.Type, checker: ts.TypeChecker): Shape {
  const t = checker.getNonNullableType(type);
  if (checker.isArrayType(t)) return { kind: "list", element: checker.getTypeArguments(t as ts.TypeReference)[0]! };
  if (t.flags & ts.TypeFlags.BooleanLike) return { kind: "boolean" };
  if (t.flags & ts.TypeFlags.StringLiteral) return { kind: "literals", values: [(t as ts.StringLiteralType).value] };
  if (t.isUnion() && t.types.every((u) => u.isStringLiteral())) return { kind: "literals", values: t.types.map((u) => u.value) };
  if (t.flags & ts.TypeFlags.String) return { kind: "string" };
  if (t.flags & ts.TypeFlags.NumberLike) return { kind: "number" };
  if (t.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) return { kind: "unknown" };
  if (t.flags & ts.TypeFlags.Object) {
    const index = checker.getIndexInfoOfType(t, ts.IndexKind.String);
    if (index && dataProperties(t, checker).length === 0) return { kind: "map", value: index.type };
    return { kind: "object", type: t };
  }
  return { kind: "other" };
}

/** "EnvironmentSpec.Machine" for an SDK interface, without the module it lives in. */
function sdkTypeName(type: ts.Type, checker: ts.TypeChecker): string {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  if (!symbol || symbol.name === "__type" || symbol.name === "__object") return checker.typeToString(type);
  return checker.getFullyQualifiedName(symbol).replace(/^".*"\./, "");
}

/** The type of one value of `field`: of the field itself, of a list's elements or of a map's values. */
function targetOf(field: DescField): Target {
  if (field.message) return { kind: "message", message: field.message };
  if (field.enum) return { kind: "enum", enum: field.enum };
  return { kind: "scalar", scalar: field.scalar };
}

function describeTarget(target: Target): string {
  switch (target.kind) {
    case "message":
      return `message ${target.message.typeName}`;
    case "enum":
      return `enum ${target.enum.typeName}`;
    case "scalar":
      return `${ScalarType[target.scalar].toLowerCase()}`;
  }
}

const isWellKnown = (message: DescMessage): boolean => message.typeName.startsWith("google.protobuf.");

/**
 * The strings a string field (or each item of a repeated one) may hold by its protovalidate rule
 * `string.in`; undefined when it has no such rule and takes any string.
 */
function allowedStrings(field: DescField): readonly string[] | undefined {
  if (!hasOption(field, fieldRules)) return undefined;
  const rules = getOption(field, fieldRules).type;
  const strings = rules.case === "string" ? rules.value : rules.case === "repeated" && rules.value.items?.type.case === "string" ? rules.value.items.type.value : undefined;
  return strings && strings.in.length > 0 ? strings.in : undefined;
}

class Walk implements SchemaComparison {
  readonly differences: string[] = [];
  readonly interfaces = new Set<string>();
  properties = 0;
  literals = 0;
  readonly fields = new Set<string>();
  /** (SDK type, message) pairs already walked: each is compared once, at the first path that reaches it. */
  private readonly walked = new Map<ts.Type, Set<string>>();

  constructor(private readonly checker: ts.TypeChecker) {}

  message(type: ts.Type, message: DescMessage, path: string, skip: readonly string[] = []): void {
    const seen = this.walked.get(type) ?? new Set<string>();
    if (seen.has(message.typeName)) return;
    this.walked.set(type, seen.add(message.typeName));
    this.interfaces.add(sdkTypeName(type, this.checker));
    for (const property of dataProperties(type, this.checker)) {
      if (skip.includes(property.name)) continue;
      const here = `${path}.${property.name}`;
      const field = message.fields.find((f) => f.jsonName === property.name);
      if (!field) {
        this.differences.push(`${here} → ${message.typeName} has no field with JSON name ${property.name}`);
        continue;
      }
      this.properties++;
      this.fields.add(`${message.typeName}.${field.jsonName}`);
      this.field(this.checker.getTypeOfSymbol(property), field, here);
    }
  }

  private field(type: ts.Type, field: DescField, path: string): void {
    const target = targetOf(field);
    // A singular well-known message may take any JSON form (Struct is an object, ListValue an array).
    if (field.fieldKind === "message" && isWellKnown(field.message)) return;
    const shape = shapeOf(type, this.checker);
    const sdk = this.checker.typeToString(this.checker.getNonNullableType(type));
    if (field.fieldKind === "list") {
      if (shape.kind !== "list") return this.mismatch(path, sdk, `a repeated ${describeTarget(target)}`, field);
      return this.value(shape.element, target, `${path}[]`, field);
    }
    if (field.fieldKind === "map") {
      if (shape.kind !== "map") return this.mismatch(path, sdk, `a map of ${describeTarget(target)}`, field);
      return this.value(shape.value, target, `${path}{}`, field);
    }
    this.value(type, target, path, field);
  }

  /** One value: the field itself, a list element or a map value. */
  private value(type: ts.Type, target: Target, path: string, field: DescField): void {
    const shape = shapeOf(type, this.checker);
    const sdk = this.checker.typeToString(this.checker.getNonNullableType(type));
    switch (target.kind) {
      case "message":
        if (isWellKnown(target.message)) return;
        if (shape.kind === "object") return this.message(shape.type, target.message, path);
        return this.mismatch(path, sdk, describeTarget(target), field);
      case "enum": {
        if (shape.kind === "string") return;
        if (shape.kind !== "literals") return this.mismatch(path, sdk, describeTarget(target), field);
        const names = new Set(target.enum.values.map((v) => v.name));
        for (const literal of shape.values) {
          this.literals++;
          if (!names.has(literal)) this.differences.push(`${path} → ${target.enum.typeName} has no value ${literal}`);
        }
        return;
      }
      case "scalar": {
        if (shape.kind === "literals" && target.scalar === ScalarType.STRING) {
          const allowed = allowedStrings(field);
          if (!allowed) return;
          for (const literal of shape.values) {
            this.literals++;
            if (!allowed.includes(literal)) this.differences.push(`${path} → ${field.parent.typeName}.${field.jsonName} does not allow "${literal}" (string.in)`);
          }
          return;
        }
        if (shape.kind === "unknown" || sdkKindsOf(target.scalar).includes(shape.kind)) return;
        return this.mismatch(path, sdk, describeTarget(target), field);
      }
    }
  }

  private mismatch(path: string, sdk: string, ours: string, field: DescField): void {
    this.differences.push(`${path} → ${field.parent.typeName}.${field.jsonName} is ${ours}, the SDK declares ${sdk}`);
  }
}

/**
 * Compares the SDK type `sdk` with our message `message`. `skip` names top-level properties that
 * are not fields of the message (a list method's `token` and `pageSize` go to the URL query).
 */
export function compareWithMessage(
  checker: ts.TypeChecker,
  sdk: { readonly name: string; readonly type: ts.Type },
  message: DescMessage,
  skip: readonly string[] = [],
): SchemaComparison {
  const walk = new Walk(checker);
  walk.message(sdk.type, message, sdk.name, skip);
  return walk;
}
