// The HTTP layer checks some things before connect-node parses a request (authentication, body
// size, protobuf bytes). When one fails it does not answer itself: it hands connect-node an empty
// request plus the error in the context values, and this interceptor (the first one) throws it,
// so connect-node renders the error in whichever protocol the client speaks.
import { type ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";

export const preflightErrorKey = createContextKey<ConnectError | undefined>(undefined, {
  description: "an error found by the HTTP layer before the request was parsed",
});

export function preflightErrorInterceptor(): Interceptor {
  return (next) => async (req) => {
    const error = req.contextValues.get(preflightErrorKey);
    if (error) throw error;
    return next(req);
  };
}
