// Every problem found in an XCOFF file is reported as an XcoffError whose message is one line
// naming the problem (and the file offset when there is one), so the CLI can print it as is.
export class XcoffError extends Error {
  override readonly name = 'XcoffError';
  constructor(message: string) {
    super(message);
  }
}

export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}
