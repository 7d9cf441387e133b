// A certificate or key file as the PEM text the forms hold: PEM, CRT and KEY files are text already;
// DER (binary, an ASN.1 SEQUENCE) is wrapped as PEM. Runs in the browser: the file never leaves as a file.

export type PemLabel = 'CERTIFICATE' | 'PRIVATE KEY';

/** Base64 DER as a PEM block of the label, in 64-character lines. */
export const pemBlock = (label: string, base64: string) => `-----BEGIN ${label}-----\n${base64.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n').trim()}\n-----END ${label}-----\n`;

const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]+?-----END [A-Z0-9 ]+-----/g;

/** The PEM text of a chosen file, or null when it is neither PEM nor DER. */
export function pemFromFile(bytes: Uint8Array, label: PemLabel): string | null {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const blocks = text.match(PEM);
  if (blocks) return blocks.join('\n');
  // DER: a SEQUENCE (0x30) whose length covers the file.
  if (bytes.length < 4 || bytes[0] !== 0x30 || derLength(bytes) !== bytes.length) return null;
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return pemBlock(label, btoa(binary));
}

/** Total length of the DER element at the start (tag, length octets, content), or -1 if unreadable. */
function derLength(bytes: Uint8Array): number {
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const octets = first & 0x7f;
  if (octets === 0 || octets > 4 || bytes.length < 2 + octets) return -1;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + bytes[2 + i]!;
  return 2 + octets + length;
}
