// grpc-message as the gRPC HTTP/2 spec encodes it: UTF-8, then percent-encoding of only the bytes
// outside space..~ and of "%" itself (Percent-Byte-Unencoded = %x20-%x24 / %x26-%x7E).
//
// connect-node encodes the message with encodeURIComponent, which is valid (a decoder must decode
// any %XX), but @grpc/grpc-js decodes it with decodeURI, which leaves reserved characters
// encoded: a grpc-js caller saw "name%3A must be at least 3 characters". Re-encoding to the spec's
// minimal form gives every decoder the same text: grpc-js, grpcio, grpc-go and connect-es alike.
// Found by the interop grpc-js peer (packages/interop/test/peer-grpc-js.spec.ts).

/** The spec's encoding of a message that connect-node percent-encoded; a value that does not decode is left as it is. */
export function specEncodedGrpcMessage(value: string): string {
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    return value;
  }
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
