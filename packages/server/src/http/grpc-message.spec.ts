import { describe, expect, it } from "vitest";
import { specEncodedGrpcMessage } from "./grpc-message.js";

describe("grpc-message in the gRPC spec's encoding", () => {
  it("leaves printable ASCII but % as it is, so that decodeURI (grpc-js) and decodeURIComponent read the same text", () => {
    const sent = encodeURIComponent("name: must be at least 3 characters; a, b/c?d=e&f#g");
    const encoded = specEncodedGrpcMessage(sent);
    expect(encoded).toBe("name: must be at least 3 characters; a, b/c?d=e&f#g");
    expect(decodeURI(encoded)).toBe(decodeURIComponent(encoded));
  });

  it("percent-encodes % itself, control characters and non-ASCII as UTF-8 bytes", () => {
    expect(specEncodedGrpcMessage(encodeURIComponent("100% done\n, café 😀"))).toBe("100%25 done%0A, caf%C3%A9 %F0%9F%98%80");
    expect(decodeURI(specEncodedGrpcMessage(encodeURIComponent("100% café 😀")))).toBe("100% café 😀");
  });

  it("leaves a value that is no valid percent-encoding as it came", () => {
    expect(specEncodedGrpcMessage("50%")).toBe("50%");
    expect(specEncodedGrpcMessage("%E0%A4%A")).toBe("%E0%A4%A");
  });
});
