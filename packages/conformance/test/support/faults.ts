// The faults the broken-server test injects, one per kind of conformance failure the kit must
// find. Each rewrites Connect JSON exchanges (unary; the kit runs with --protocols connect-json).
import { readJson, writeJson, type Exchange, type Fault } from "./broken-proxy.js";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every not_found answer becomes internal: a wrong error code. */
export const wrongCodes: Fault = {
  name: "wrong codes (not_found answered as internal)",
  response(ex) {
    const body = readJson(ex.responseBody);
    if (ex.status !== 404 || body?.code !== "not_found") return;
    ex.status = 500;
    ex.responseBody = writeJson({ ...body, code: "internal" });
  },
};

/** GetRunner answers without the runner's name: a dropped field. */
export const droppedField: Fault = {
  name: "dropped field (GetRunner without runner.name)",
  response(ex) {
    if (ex.procedure !== "gitpod.v1.RunnerService/GetRunner" || ex.status !== 200) return;
    const body = readJson(ex.responseBody);
    if (!isObject(body?.runner) || !("name" in body.runner)) return;
    delete body.runner.name;
    ex.responseBody = writeJson(body);
  },
};

const endlessPrefix = "endless.";

/**
 * Every List* answer has a next page: the last page's answer gets a `next_token` that, when sent,
 * answers that last page again — the page tokens never end.
 */
export const endlessPageTokens: Fault = {
  name: "endless page tokens (every List answer has a next_token)",
  request(ex) {
    if (!/\/List[A-Za-z]+$/.test(ex.procedure)) return;
    const body = readJson(ex.requestBody);
    const pagination = body?.pagination;
    if (!isObject(pagination) || typeof pagination.token !== "string" || !pagination.token.startsWith(endlessPrefix)) return;
    pagination.token = Buffer.from(pagination.token.slice(endlessPrefix.length), "base64url").toString("utf8");
    ex.requestBody = writeJson(body);
  },
  response(ex) {
    if (!/\/List[A-Za-z]+$/.test(ex.procedure) || ex.status !== 200) return;
    const body = readJson(ex.responseBody);
    if (body === undefined) return;
    const pagination = isObject(body.pagination) ? body.pagination : {};
    if (typeof pagination.nextToken === "string" && pagination.nextToken !== "") return;
    // The token that produced this last page (the request's, now restored), wrapped.
    const request = readJson(ex.requestBody);
    const sent = isObject(request?.pagination) && typeof request.pagination.token === "string" ? request.pagination.token : "";
    body.pagination = { ...pagination, nextToken: endlessPrefix + Buffer.from(sent, "utf8").toString("base64url") };
    ex.responseBody = writeJson(body);
  },
};

/**
 * Runners are answered with the write-only metrics password they were created or updated with:
 * a leaked secret (CreateRunner, UpdateRunner, GetRunner, ListRunners).
 */
export function leakedSecrets(): Fault {
  const passwords = new Map<string, string>();
  const metricsOf = (runner: unknown): Json | undefined => {
    if (!isObject(runner)) return undefined;
    const spec = isObject(runner.spec) ? runner.spec : (runner.spec = {});
    const configuration = isObject(spec.configuration) ? spec.configuration : (spec.configuration = {});
    return isObject(configuration.metrics) ? configuration.metrics : (configuration.metrics = {});
  };
  const sentPassword = (ex: Exchange): string | undefined => {
    const body = readJson(ex.requestBody);
    const spec = isObject(body?.spec) ? body.spec : undefined;
    const configuration = isObject(spec?.configuration) ? spec.configuration : undefined;
    const metrics = isObject(configuration?.metrics) ? configuration.metrics : undefined;
    return typeof metrics?.password === "string" && metrics.password !== "" ? metrics.password : undefined;
  };
  const leak = (runner: unknown): boolean => {
    if (!isObject(runner) || typeof runner.runnerId !== "string") return false;
    const password = passwords.get(runner.runnerId);
    const metrics = password === undefined ? undefined : metricsOf(runner);
    if (metrics) metrics.password = password;
    return metrics !== undefined;
  };
  return {
    name: "leaked secret (runners answered with their metrics password)",
    response(ex) {
      if (ex.status !== 200 || !ex.procedure.startsWith("gitpod.v1.RunnerService/")) return;
      const body = readJson(ex.responseBody);
      if (body === undefined) return;
      const method = ex.procedure.slice("gitpod.v1.RunnerService/".length);
      const password = sentPassword(ex);
      if (method === "CreateRunner" && password !== undefined && isObject(body.runner) && typeof body.runner.runnerId === "string") {
        passwords.set(body.runner.runnerId, password);
      }
      if (method === "UpdateRunner" && password !== undefined) {
        const request = readJson(ex.requestBody);
        if (typeof request?.runnerId === "string") passwords.set(request.runnerId, password);
      }
      const leaked =
        method === "CreateRunner" || method === "GetRunner" ? leak(body.runner) : method === "ListRunners" && Array.isArray(body.runners) ? body.runners.map(leak).some(Boolean) : false;
      if (leaked) ex.responseBody = writeJson(body);
    },
  };
}

/**
 * The second organization's calls are made with the first organization's token, except the one
 * that tells who the caller is: the target answers another organization's reads.
 */
export function crossOrganizationReads(otherToken: string, firstToken: string): Fault {
  return {
    name: "cross-organization reads (the second organization acts as the first)",
    request(ex) {
      if (ex.procedure === "gitpod.v1.IdentityService/GetAuthenticatedIdentity") return;
      if (ex.requestHeaders.authorization === `Bearer ${otherToken}`) ex.requestHeaders.authorization = `Bearer ${firstToken}`;
    },
  };
}
