// Request validation for every RPC: the buf.validate rules of the request message (compiled into
// the generated descriptors) are checked with protovalidate before the handler runs. Violations
// fail the call with invalid_argument, naming each field path.
import { createValidator } from "@bufbuild/protovalidate";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { pathToString } from "@bufbuild/protobuf/reflect";

export function validationInterceptor(): Interceptor {
  const validator = createValidator();
  return (next) => async (req) => {
    if (!req.stream) {
      const result = validator.validate(req.method.input, req.message);
      if (result.kind === "invalid") {
        const message = result.violations
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
