// Limits every request is held to.
/** Largest request message accepted, before and after decompression: 4 MiB. */
export const readMaxBytes = 4 * 1024 * 1024;
