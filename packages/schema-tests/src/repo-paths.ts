// Paths of the repository that the schema tests read. Tests read only files inside the
// repository: the wire facts are a committed copy, the fixtures are committed too.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const binDir = join(repoRoot, "node_modules", ".bin");
export const protoDir = join(repoRoot, "proto");
export const wireFactsFile = join(repoRoot, "reference", "gitpod-v1-wire-facts.json");
/** The facts of the RPCs beyond the seeds that the current official SDK relies on (EventService, IdentityService). */
export const extraWireFactsFile = join(repoRoot, "reference", "gitpod-v1-wire-facts-extra.json");
/** The facts of the 8 RPCs the four documented services gained since the seeds (ArchiveEnvironment, port access, LLM integrations). */
export const currentWireFactsFile = join(repoRoot, "reference", "gitpod-v1-wire-facts-current.json");
/** Every facts file the schema must match. */
export const allWireFactsFiles = [wireFactsFile, extraWireFactsFile, currentWireFactsFile];
/** Documented examples, extracted from the seeds by scripts/extract-fixtures.ts. */
export const fixturesDir = join(repoRoot, "packages", "schema-tests", "fixtures");
/** The SDK reference pages the fixtures come from: beside the repository, not in it. */
export const seedsDir = join(repoRoot, "..", "shared", "seeds");
