// A MIME type as RFC 6838 / RFC 9110 write it: type "/" subtype, each a token, optionally
// followed by parameters. Used to validate a multipart session's declared contentType.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const PARAMETER = `\\s*;\\s*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\\\r\\n]|\\\\.)*")`;
const MIME_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:${PARAMETER})*$`);

export function isValidMimeType(value: string): boolean {
  return value.length <= 255 && MIME_TYPE.test(value.trim());
}
