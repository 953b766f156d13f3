// Every file of the generated schema in one registry: what the by-name calls resolve against,
// and what JSON needs for google.protobuf.Any. An RPC added to the protos is found here with
// no client change.
import { createRegistry, type DescFile, type DescMethod, type Registry } from "@bufbuild/protobuf";
import * as schema from "@gitpod-connect/schema";

const files = Object.entries(schema)
  .filter(([name]) => name.startsWith("file_"))
  .map(([, file]) => file as DescFile);

export const schemaRegistry: Registry = createRegistry(...files);

/** A procedure name the schema does not have. */
export class UnknownProcedureError extends TypeError {
  constructor(readonly procedure: string) {
    super(`unknown RPC ${JSON.stringify(procedure)}: the schema has no such method (write "gitpod.v1.Service/Method")`);
    this.name = "UnknownProcedureError";
  }
}

/**
 * The method a procedure names: "gitpod.v1.EnvironmentService/GetEnvironment" (the HTTP path,
 * with or without its leading slash) or "gitpod.v1.EnvironmentService.GetEnvironment".
 */
export function findMethod(procedure: string): DescMethod {
  const name = procedure.startsWith("/") ? procedure.slice(1) : procedure;
  const cut = name.includes("/") ? name.indexOf("/") : name.lastIndexOf(".");
  const service = cut > 0 ? schemaRegistry.getService(name.slice(0, cut)) : undefined;
  const method = service?.methods.find((m) => m.name === name.slice(cut + 1));
  if (!method) throw new UnknownProcedureError(procedure);
  return method;
}

export function procedureOf(method: DescMethod): string {
  return `${method.parent.typeName}/${method.name}`;
}
