// A registry of every generated file of @gitpod-connect/schema: the schema as clients see it.
import { createRegistry, type DescFile, type Registry } from "@bufbuild/protobuf";
import * as schema from "@gitpod-connect/schema";

export const generatedFiles: DescFile[] = Object.entries(schema)
  .filter(([name]) => name.startsWith("file_"))
  .map(([, file]) => file as DescFile);

export const schemaRegistry: Registry = createRegistry(...generatedFiles);
