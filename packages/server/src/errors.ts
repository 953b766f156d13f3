// The errors handlers throw. Each is a ConnectError with the code the Gitpod docs name and a
// message that names the field or resource, so a caller can tell what to fix without a stack
// trace. Connect maps the code to the HTTP status (invalid_argument → 400, not_found → 404 …).
import { Code, ConnectError } from "@connectrpc/connect";

/** A request field is missing, malformed or out of range. `field` is its path, e.g. `pagination.token`. */
export function invalidArgument(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument);
}

/**
 * The resource does not exist — or exists in another organization: both look the same to the
 * caller, so no existence leaks across organizations.
 */
export function notFound(kind: string, id: string): ConnectError {
  return new ConnectError(`${kind} ${JSON.stringify(id)} not found`, Code.NotFound);
}

/** The resource a request field names does not exist (or is another organization's), e.g. `spec.machine.class`. */
export function notFoundAt(field: string, kind: string, id: string): ConnectError {
  return new ConnectError(`${field}: ${kind} ${JSON.stringify(id)} not found`, Code.NotFound);
}

/** The resource is not in a state that allows the call, because of what a request field names. */
export function failedPreconditionAt(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.FailedPrecondition);
}

/** A resource with this identity (e.g. a unique name) already exists. */
export function alreadyExists(kind: string, what: string): ConnectError {
  return new ConnectError(`${kind} ${what} already exists`, Code.AlreadyExists);
}

/** The resource is not in a state that allows the call (e.g. deleting a runner that still has environments). */
export function failedPrecondition(message: string): ConnectError {
  return new ConnectError(message, Code.FailedPrecondition);
}

/** The caller is authenticated but may not do this. */
export function permissionDenied(message: string): ConnectError {
  return new ConnectError(message, Code.PermissionDenied);
}

/** The call carries no valid credentials. */
export function unauthenticated(message = "missing or unknown bearer token"): ConnectError {
  return new ConnectError(message, Code.Unauthenticated);
}

/** A limit was hit, e.g. a request body larger than the server reads. */
export function resourceExhausted(message: string): ConnectError {
  return new ConnectError(message, Code.ResourceExhausted);
}
