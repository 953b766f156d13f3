// The scopes of a host authentication token (CreateHostAuthenticationToken,
// UpdateHostAuthenticationToken): none may be empty.
import { invalidArgument } from "../../rpc/index.js";

export function assertScopes(scopes: readonly string[]): void {
  scopes.forEach((scope, i) => {
    if (scope.trim() === "") throw invalidArgument(`scopes[${i}]`, "must not be empty");
  });
}
