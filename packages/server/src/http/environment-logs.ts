// GET /environments/<id>/logs with `Authorization: Bearer <logs token>`: the environment's log (one
// line per step its runner made), the URL status.environment_urls.logs names. Only a logs token of
// that environment opens it (CreateEnvironmentLogsToken, valid one hour); API tokens do not.
import { bearerToken } from "../auth/authentication.js";
import { environmentLogs, resolveEnvironmentLogsToken } from "../domain/environments/index.js";
import type { HandlerDeps } from "../handler-deps.js";
import { sendText } from "./http-responses.js";
import type { PathHandler } from "./request-handler.js";

const logsPath = /^\/environments\/([0-9a-f-]{36})\/logs$/;

export function environmentLogsHandler(deps: HandlerDeps): PathHandler {
  return {
    matches: (path) => logsPath.test(path),
    async handle(req, res, path) {
      if (req.method !== "GET" && req.method !== "HEAD") return sendText(res, 405, "method not allowed\n", { allow: "GET, HEAD" });
      const environmentId = logsPath.exec(path)![1]!;
      const token = bearerToken(req.headers.authorization);
      const opens = token === undefined ? undefined : await resolveEnvironmentLogsToken(deps, token);
      if (!opens) return sendText(res, 401, "a logs token of this environment is required (CreateEnvironmentLogsToken)\n", { "www-authenticate": "Bearer" });
      if (opens.environmentId !== environmentId) return sendText(res, 403, "this logs token is for another environment\n");
      const log = await deps.store.collection(environmentLogs).get(environmentId, { organizationId: opens.organizationId });
      sendText(res, 200, log ? `${log.value.lines.join("\n")}\n` : "");
    },
  };
}
