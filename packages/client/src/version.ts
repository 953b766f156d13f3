// The version this client reports in its user agent; a test holds it equal to package.json's.
export const clientVersion = "0.1.0";
export const clientName = "gitpod-connect-client";
