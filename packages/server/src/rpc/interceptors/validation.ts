// Request validation for every RPC: the buf.validate rules of the request message (compiled into
// the generated descriptors) are checked by the Connect interceptor of @connectrpc/validate before
// the handler runs. A violation fails the call with invalid_argument and carries the violations as
// a `buf.validate.Violations` error detail (`ConnectError.findDetails(ViolationsSchema)` on the
// client). No RPC is special here: what an RPC does not validate, its schema says (e.g.
// `ignore: IGNORE_ALWAYS` on ValidateRunnerConfigurationRequest's fields).
//
// The library's message names only the first violation ("x: … [rule], and 2 more violations");
// this wrapper replaces it with one that names every field path ("runner_id: value must be a
// valid UUID; pagination.page_size: …"), keeping the library's details and cause.
import { CompilationError, RuntimeError, ValidationError, createValidator, type Validator } from "@bufbuild/protovalidate";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { createValidateInterceptor } from "@connectrpc/validate";

/** A detail as ConnectError's constructor takes it (connect does not export the type). */
type OutgoingDetail = NonNullable<ConstructorParameters<typeof ConnectError>[3]>[number];

export interface ValidationInterceptorOptions {
  /** The protovalidate validator (default: createValidator()). */
  validator?: Validator;
}

export function validationInterceptor(options: ValidationInterceptorOptions = {}): Interceptor {
  const validate = createValidateInterceptor({ validator: options.validator ?? createValidator() });
  return (next) => {
    const validated = validate(next);
    return async (req) => {
      try {
        return await validated(req);
      } catch (e) {
        throw rewrite(e, req.method.input.typeName);
      }
    };
  };
}

/** The library's error with a message naming every violation; anything not from validation unchanged. */
function rewrite(e: unknown, typeName: string): unknown {
  if (!(e instanceof ConnectError)) return e;
  const cause = e.cause;
  if (cause instanceof ValidationError) {
    // The details the library attached (one buf.validate.Violations), as they are.
    const details = e.details.filter((d): d is OutgoingDetail => "desc" in d);
    return new ConnectError(violationMessage(cause), Code.InvalidArgument, e.metadata, details, cause);
  }
  if (cause instanceof CompilationError || cause instanceof RuntimeError) {
    // The rules of our own schema could not be compiled or evaluated: a server fault, not the
    // client's (the library would answer invalid_argument). Logged, never sent.
    console.error(`validation of ${typeName} failed`, cause);
    return new ConnectError("request validation failed", Code.Internal);
  }
  return e;
}

/** "path: message" per violation, joined with "; " (a violation of the message itself has no path). */
export function violationMessage(error: ValidationError): string {
  if (error.violations.length === 0) return error.message;
  return error.violations
    .map((v) => {
      const path = pathToString(v.field);
      return path ? `${path}: ${v.message}` : v.message;
    })
    .join("; ");
}
