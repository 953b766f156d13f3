// The "first answered call" of the start-up figures: GetAuthenticatedIdentity over Connect JSON
// with node:http, no client library (so its own loading does not count).
import * as http from "node:http";
import { apiKey } from "./common.mjs";

/** Resolves with the HTTP status of one GetAuthenticatedIdentity (rejects on a network error). */
export function callIdentity(url) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/gitpod.v1.IdentityService/GetAuthenticatedIdentity`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1", authorization: `Bearer ${apiKey}`, "content-length": 2 },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.end("{}");
  });
}
