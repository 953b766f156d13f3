// Open proto3 enums carry any number on the wire. Fields without a `defined_only` rule are checked
// here, so an unknown number is invalid_argument naming the field rather than stored as is.
import type { DescEnum } from "@bufbuild/protobuf";
import { invalidArgument } from "../../errors.js";

/** Throws invalid_argument naming `field` unless `value` is one of `schema`'s values. */
export function assertDefined(schema: DescEnum, value: number, field: string): void {
  if (!schema.values.some((v) => v.number === value))
    throw invalidArgument(field, `${value} is not a value of ${schema.typeName}`);
}

/** The enum value's name as written in the proto, e.g. "RUNNER_PHASE_ACTIVE". */
export function enumName(schema: DescEnum, value: number): string {
  return schema.value[value]?.name ?? String(value);
}
