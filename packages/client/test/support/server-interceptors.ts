// Server-side interceptors the client tests install to see what arrives and to slow calls down.
import type { Interceptor } from "@connectrpc/connect";

export interface SeenRequest {
  procedure: string;
  /** The HTTP method: POST, or GET for a Connect GET. */
  httpMethod: string;
  header: Headers;
}

/** Records the procedure and headers of every call the server receives. */
export function requestRecorder(): { seen: SeenRequest[]; interceptor: Interceptor } {
  const seen: SeenRequest[] = [];
  return {
    seen,
    interceptor: (next) => (req) => {
      seen.push({ procedure: `${req.service.typeName}/${req.method.name}`, httpMethod: req.requestMethod, header: new Headers(req.header) });
      return next(req);
    },
  };
}

/** Delays a call by the milliseconds in its `x-test-delay-ms` header, giving up when the call is cancelled. */
export const delayInterceptor: Interceptor = (next) => async (req) => {
  const ms = Number(req.header.get("x-test-delay-ms") ?? 0);
  if (ms > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      req.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
  return next(req);
};
