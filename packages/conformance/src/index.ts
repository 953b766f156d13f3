// The kit as a library: run the suite from code (as its own tests do) and render its reports.
export { parseOptions, usage, UsageError, type KitOptions } from "./cli-options.js";
export { parseDeviations, readDeviations, type Deviation } from "./deviations.js";
export { codeName, expectCode } from "./expect.js";
export { main, renderList, type CliIo } from "./main.js";
export { renderJson } from "./report/json.js";
export { escapeXml, renderJunit } from "./report/junit.js";
export { renderTable, totalsLine } from "./report/table.js";
export { FixturesError, runSuite, totalsOf, type Outcome, type RunSuiteOptions, type ScenarioResult, type SuiteReport, type Totals } from "./run-suite.js";
export * from "./scenario.js";
export { allScenarios } from "./scenarios/index.js";
export { matches, selectScenarios } from "./selection.js";
