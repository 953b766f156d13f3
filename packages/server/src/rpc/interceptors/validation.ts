// Request validation for every RPC: the buf.validate rules of the request message (compiled into
// the generated descriptors) are checked with protovalidate before the handler runs. Violations
// fail the call with invalid_argument, naming each field path.
import { createValidator } from "@bufbuild/protovalidate";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { pathToString } from "@bufbuild/protobuf/reflect";

/**
 * Request paths whose violations are an RPC's answer rather than an error: ValidateRunnerConfiguration
 * exists to report what is wrong with a proposed environment class or SCM integration, per field,
 * in its result. Its handler checks those parts itself; the rest of its request is validated here.
 */
const reportedByHandler: Readonly<Record<string, readonly string[]>> = {
  "gitpod.v1.ValidateRunnerConfigurationRequest": ["environment_class.", "scm_integration."],
  // The deprecated `limit` (1..100) lacks IGNORE_IF_ZERO_VALUE in the schema, so its rule would
  // reject every search that leaves it unset (the docs' own example); the handler checks it
  // (services/runner/repository-search.ts) with 0 meaning "unset".
  "gitpod.v1.SearchRepositoriesRequest": ["limit"],
};

export function validationInterceptor(): Interceptor {
  const validator = createValidator();
  return (next) => async (req) => {
    if (!req.stream) {
      const result = validator.validate(req.method.input, req.message);
      const reported = reportedByHandler[req.method.input.typeName] ?? [];
      const violations =
        result.kind === "invalid"
          ? result.violations.filter((v) => !reported.some((prefix) => pathToString(v.field).startsWith(prefix)))
          : [];
      if (violations.length > 0) {
        const message = violations
          .map((v) => {
            const path = pathToString(v.field);
            return path ? `${path}: ${v.message}` : v.message;
          })
          .join("; ");
        throw new ConnectError(message, Code.InvalidArgument);
      }
      if (result.kind === "error") {
        console.error(`validation of ${req.method.input.typeName} failed`, result.error);
        throw new ConnectError("request validation failed", Code.Internal);
      }
    }
    return next(req);
  };
}
