// The DWARF 4 constants this reader uses (DWARF 4 standard §7), plus Go's vendor attributes
// (cmd/internal/dwarf: DW_AT_go_kind and friends).

export const DW_TAG = {
  array_type: 0x01,
  formal_parameter: 0x05,
  lexical_block: 0x0b,
  member: 0x0d,
  pointer_type: 0x0f,
  compile_unit: 0x11,
  structure_type: 0x13,
  subroutine_type: 0x15,
  typedef: 0x16,
  union_type: 0x17,
  inlined_subroutine: 0x1d,
  subrange_type: 0x21,
  base_type: 0x24,
  constant: 0x27,
  subprogram: 0x2e,
  variable: 0x34,
  unspecified_type: 0x3b,
} as const;

export const DW_AT = {
  sibling: 0x01,
  location: 0x02,
  name: 0x03,
  byte_size: 0x0b,
  stmt_list: 0x10,
  low_pc: 0x11,
  high_pc: 0x12,
  language: 0x13,
  comp_dir: 0x1b,
  const_value: 0x1c,
  inline: 0x20,
  producer: 0x25,
  upper_bound: 0x2f,
  abstract_origin: 0x31,
  count: 0x37,
  data_member_location: 0x38,
  decl_file: 0x3a,
  decl_line: 0x3b,
  declaration: 0x3c,
  encoding: 0x3e,
  external: 0x3f,
  frame_base: 0x40,
  type: 0x49,
  ranges: 0x55,
  // Go extensions.
  go_kind: 0x2900,
  go_key: 0x2901,
  go_elem: 0x2902,
  go_embedded_field: 0x2903,
  go_runtime_type: 0x2904,
  go_package_name: 0x2905,
  go_dict_index: 0x2906,
} as const;

export const DW_FORM = {
  addr: 0x01,
  block2: 0x03,
  block4: 0x04,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  string: 0x08,
  block: 0x09,
  block1: 0x0a,
  data1: 0x0b,
  flag: 0x0c,
  sdata: 0x0d,
  strp: 0x0e,
  udata: 0x0f,
  ref_addr: 0x10,
  ref1: 0x11,
  ref2: 0x12,
  ref4: 0x13,
  ref8: 0x14,
  ref_udata: 0x15,
  indirect: 0x16,
  sec_offset: 0x17,
  exprloc: 0x18,
  flag_present: 0x19,
  ref_sig8: 0x20,
} as const;

export const DW_OP = {
  addr: 0x03,
  plus_uconst: 0x23,
  call_frame_cfa: 0x9c,
} as const;

export const DW_ATE = {
  address: 0x01,
  boolean: 0x02,
  complex_float: 0x03,
  float: 0x04,
  signed: 0x05,
  signed_char: 0x06,
  unsigned: 0x07,
  unsigned_char: 0x08,
  utf: 0x10,
} as const;

/** Standard line-number opcodes (DWARF 4 §6.2.5.2). */
export const DW_LNS = {
  copy: 1,
  advance_pc: 2,
  advance_line: 3,
  set_file: 4,
  set_column: 5,
  negate_stmt: 6,
  set_basic_block: 7,
  const_add_pc: 8,
  fixed_advance_pc: 9,
  set_prologue_end: 10,
  set_epilogue_begin: 11,
  set_isa: 12,
} as const;

/** Extended line-number opcodes (after a 0 byte and a length). */
export const DW_LNE = {
  end_sequence: 1,
  set_address: 2,
  define_file: 3,
  set_discriminator: 4,
} as const;

/** Go's reflect.Kind values as written in DW_AT_go_kind. */
export const GO_KIND = {
  bool: 1,
  int: 2,
  uintptr: 12,
  array: 17,
  chan: 18,
  func: 19,
  interface: 20,
  map: 21,
  pointer: 22,
  slice: 23,
  string: 24,
  struct: 25,
  unsafePointer: 26,
} as const;
