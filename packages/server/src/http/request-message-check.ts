// The check every request message gets before connect-node decodes it, in both guards (the whole
// body: request-guard.ts; message by message: reflection/stream-guard.ts): protobuf bytes must
// decode (connect-node would answer internal), JSON must hold no unknown enum names and no
// malformed Duration or Timestamp strings (json-value-checks.ts).
import { fromBinary, type DescMethod, type Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { checkJsonRequest } from "./json-value-checks.js";
import type { RequestProtocol } from "./protocol.js";

/**
 * Throws invalid_argument for protobuf bytes that do not decode, or JSON the request's message type
 * does not allow. Returns the decoded message of protobuf bytes (so that the unary fast path need
 * not decode them again); JSON is left to the protocol's parser.
 */
export function checkRequestMessage(protocol: RequestProtocol, method: DescMethod, data: Uint8Array): Message | undefined {
  if (!protocol.binary) {
    const error = checkJsonRequest(method.input, data);
    if (error) throw error;
    return undefined;
  }
  try {
    return fromBinary(method.input, data);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new ConnectError(`request is not a valid ${method.input.typeName} message: ${detail}`, Code.InvalidArgument);
  }
}
