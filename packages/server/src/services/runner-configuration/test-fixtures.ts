// Test helpers of this folder: raw Connect calls in both encodings for scanning response bytes for
// secrets. The shared fixtures, expectations and the leak detector are re-exported for this folder's tests.
import { create, toBinary, toJson, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { RunnerConfigurationService } from "@gitpod-connect/schema/gitpod/v1/runner_configuration";
import { http1Request } from "../../test-support/raw-request.js";
import type { TestServer } from "../../test-support/test-server.js";

export { addRunner, addUser, runnerToken, userSubject, type RunnerOptions } from "../../test-support/store-fixtures.js";
export { allPages, expectFailure, expectOneWinner, tamper } from "../../test-support/expectations.js";
export { leaks } from "../../test-support/secret-leaks.js";

type MethodName = keyof typeof RunnerConfigurationService.method;

type RequestInit<M extends MethodName> = MessageInitShape<(typeof RunnerConfigurationService.method)[M]["input"]>;

/**
 * Calls a method once with the Connect JSON and once with the Connect binary encoding, raw over
 * HTTP/1.1, and returns both response bodies (status 200 expected). Give a function for a request
 * that must differ per encoding (e.g. a create with a unique key).
 */
export async function rawBodies<M extends MethodName>(
  server: TestServer,
  method: M,
  request: RequestInit<M> | ((encoding: "json" | "binary") => RequestInit<M>),
  token: string,
): Promise<{ json: string; binary: Buffer }> {
  const desc = RunnerConfigurationService.method[method];
  const input = desc.input as DescMessage;
  const message = (encoding: "json" | "binary") => create(input, (typeof request === "function" ? request(encoding) : request) as never);
  const url = `${server.url}/gitpod.v1.RunnerConfigurationService/${desc.name}`;
  const auth = { authorization: `Bearer ${token}` };
  const json = await http1Request(url, {
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(toJson(input, message("json"))),
  });
  const binary = await http1Request(url, {
    headers: { ...auth, "content-type": "application/proto" },
    body: Buffer.from(toBinary(input, message("binary"))),
  });
  if (json.status !== 200 || binary.status !== 200)
    throw new Error(`${desc.name}: status ${json.status}/${binary.status}: ${json.body.toString()}`);
  return { json: json.body.toString("utf8"), binary: binary.body };
}
