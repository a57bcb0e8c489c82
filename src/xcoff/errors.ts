// Every problem found in an XCOFF file is reported as an XcoffError whose message is one line
// naming the problem (and the file offset when there is one), so the CLI can print it as is.
export class XcoffError extends Error {
  override readonly name = 'XcoffError';
  constructor(message: string) {
    // Names read from a corrupt file may hold control characters; keep the message one printable line.
    super(message.replace(/[\x00-\x1f\x7f]/g, '?'));
  }
}

export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}
