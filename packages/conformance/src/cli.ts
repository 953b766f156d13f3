// The `gitpod-conformance` command (bin/gitpod-conformance.js runs its build). Everything it does
// is in main.ts, which tests import without running it.
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
