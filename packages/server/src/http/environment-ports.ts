// /environments/<id>/ports/<port>/… — a shared port of a running environment, as its URL in
// status.environment_urls.ports names it. Nothing listens behind the port here, so the answer is a
// short page saying who got in; what matters is who does (domain/environments/port-access.ts):
// EVERYONE ports open without a token, the others with a port access token
// (CreatePortAccessToken; `Authorization: Bearer <token>` or `?access_token=<token>`) issued for
// this environment and port since the port's admission last changed.
import { bearerToken } from "../auth/authentication.js";
import { AdmissionLevel } from "@gitpod-connect/schema/gitpod/v1/environment";
import { environments, portAdmission, portIsOpen, resolvePortAccessToken } from "../domain/environments/index.js";
import type { HandlerDeps } from "../handler-deps.js";
import { sendText } from "./http-responses.js";
import type { PathHandler } from "./request-handler.js";

const portPath = /^\/environments\/([0-9a-f-]{36})\/ports\/(\d{1,5})(\/.*)?$/;

export function environmentPortsHandler(deps: HandlerDeps): PathHandler {
  return {
    matches: (path) => portPath.test(path),
    async handle(req, res, path, query) {
      const [, environmentId, portText] = portPath.exec(path)!;
      const port = Number(portText);
      const env = (await deps.store.collection(environments).get(environmentId!))?.value.environment;
      if (!env || !portIsOpen(env, port)) return sendText(res, 404, `port ${port} of environment ${environmentId} is not open (the environment must run and share it)\n`);
      if (portAdmission(env, port) === AdmissionLevel.EVERYONE) return sendText(res, 200, `port ${port} of environment ${env.id}: open to everyone\n`);
      const token = bearerToken(req.headers.authorization) ?? query.get("access_token") ?? undefined;
      const visitor = token === undefined ? undefined : await resolvePortAccessToken(deps, token, env, port);
      if (!visitor) return sendText(res, 401, "a port access token of this port is required (CreatePortAccessToken)\n", { "www-authenticate": "Bearer" });
      sendText(res, 200, `port ${port} of environment ${env.id}: opened for ${visitor.subject.id}\n`);
    },
  };
}
