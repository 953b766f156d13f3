// Whether a secret leaks into a response body: the forms it could take on the wire.

/** The forms a leaked secret could take in a response: clear text, base64 and base64url (bytes fields in JSON). */
function secretForms(secret: string): string[] {
  const b = Buffer.from(secret, "utf8");
  return [secret, b.toString("base64").replace(/=+$/, ""), b.toString("base64url")];
}

/** Whether `secret` (in any of its forms) occurs in a response body. */
export function leaks(body: string | Buffer, secret: string): boolean {
  const text = typeof body === "string" ? body : body.toString("latin1");
  return secretForms(secret).some((form) => text.includes(form)) || (typeof body !== "string" && body.includes(Buffer.from(secret)));
}
