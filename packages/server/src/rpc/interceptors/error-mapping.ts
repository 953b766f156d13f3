// The outermost interceptor: whatever a handler throws leaves as a ConnectError. Store errors
// become the codes they stand for; anything else is an internal error whose details are logged,
// never sent (no stack traces or internal messages on the wire).
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { StoreError } from "../../store/store.js";

const storeCodes = {
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  version_conflict: Code.Aborted,
} as const;

export function toConnectError(e: unknown, rpc: string): ConnectError {
  if (e instanceof ConnectError) return e;
  if (e instanceof StoreError) return new ConnectError(e.message, storeCodes[e.reason]);
  console.error(`rpc ${rpc} failed`, e);
  return new ConnectError("internal error", Code.Internal);
}

export function errorMappingInterceptor(): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (e) {
      throw toConnectError(e, `${req.service.typeName}/${req.method.name}`);
    }
  };
}
