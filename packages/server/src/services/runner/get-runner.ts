// GetRunner: one runner of the caller's organization (a runner principal: only itself).
import { RunnerService } from "@gitpod-connect/schema/gitpod/v1/runner";
import { callerOf, defineHandlers } from "../../rpc/index.js";
import { findOwnRunner } from "../../domain/runners/index.js";
import { runnerView } from "./runner-view.js";

export const getRunner = defineHandlers(RunnerService, (deps) => ({
  async getRunner(req, ctx) {
    const caller = callerOf(ctx);
    return { runner: runnerView(await findOwnRunner(deps.store, deps.clock.nowMs(), caller, req.runnerId)) };
  },
}));
