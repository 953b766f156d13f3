// Open proto3 enums carry any number on the wire. Fields without a `defined_only` rule (a service's
// role, the phases filter of ListTaskExecutions) are checked here: an unknown number is
// invalid_argument naming the field, not a value stored or matched as is.
import type { DescEnum } from "@bufbuild/protobuf";
import { invalidArgument } from "../../errors.js";

export function assertDefined(schema: DescEnum, value: number, field: string): void {
  if (!schema.values.some((v) => v.number === value)) throw invalidArgument(field, `${value} is not a value of ${schema.typeName}`);
}

/** The enum value's name as written in the proto, e.g. "SERVICE_PHASE_RUNNING". */
export const enumName = (schema: DescEnum, value: number): string => schema.value[value]?.name ?? String(value);
