// The client's default deadline, for unary calls only: a stream (WatchEvents) is meant to stay
// open, so it gets a deadline only when its call sets one. connect-es's own defaultTimeoutMs
// would apply to streams too. The deadline travels to the server as connect-timeout-ms or
// grpc-timeout, so the server stops working on a call the client gave up on.
import type { Transport } from "@connectrpc/connect";

export function withDefaultUnaryTimeout(transport: Transport, timeoutMs: number | undefined): Transport {
  if (timeoutMs === undefined) return transport;
  return {
    unary: (method, signal, callTimeoutMs, header, input, contextValues) =>
      transport.unary(method, signal, callTimeoutMs ?? timeoutMs, header, input, contextValues),
    stream: (method, signal, callTimeoutMs, header, input, contextValues) =>
      transport.stream(method, signal, callTimeoutMs, header, input, contextValues),
  };
}
