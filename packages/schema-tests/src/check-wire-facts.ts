// CLI: compares .proto files with the wire facts before code is generated.
//   tsx packages/schema-tests/src/check-wire-facts.ts [proto/gitpod/v1/x.proto ...]
// Every fact type found in the built files is compared; a type declared nowhere in them is
// listed only if its upstream file is among the given ones.
import { basename } from "node:path";
import { buildProtoRegistry } from "./buf-image.js";
import { compareService, compareType, loadAllWireFacts } from "./wire-facts.js";

const paths = process.argv.slice(2);
const registry = buildProtoRegistry(paths);
const facts = loadAllWireFacts();
const givenFiles = new Set(paths.map((p) => basename(p)));
const considered = (file: string) => givenFiles.size === 0 || givenFiles.has(basename(file));

const problems: string[] = [];
let compared = 0;
for (const type of facts.types) {
  const found = type.enum ? registry.getEnum(type.name) : registry.getMessage(type.name);
  if (!found && !considered(type.file)) continue;
  compared++;
  problems.push(...compareType(registry, type));
}
for (const service of facts.services) {
  if (!registry.getService(service.name) && !considered(service.file)) continue;
  problems.push(...compareService(registry, service));
}
for (const p of problems) console.log(p);
console.log(`${compared} types compared, ${problems.length} differences`);
process.exitCode = problems.length > 0 ? 1 : 0;
