// Every problem found in DWARF data is a DwarfError with a one-line message naming the section
// and offset, so callers can report it as is (malformed input never surfaces as a RangeError).
export class DwarfError extends Error {
  override readonly name = 'DwarfError';
  constructor(message: string) {
    super(message);
  }
}

export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}
