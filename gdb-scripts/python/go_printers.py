# Go values in gdb the way a Go programmer reads them (Delve is the reference), for Go 1.19 and Go 1.24
# programs debugged through aix-gdbstub:
#   string            "text"
#   slice             []int len: 3, cap: 4 = {10, 20, 30}            (p s[1] works, see GoPrint below)
#   map               map[string]int len: 2 = {["a"] = 1, ["b"] = 2}  (Go 1.19 hmap buckets, Go 1.24 Swiss tables)
#   interface, any    (int) 42, (*errors.errorString) 0x… = {s = "boom"}, nil
#   channel           chan int len: 2, cap: 4 = {7, 8}               (the buffered items, oldest first)
#   pointer to struct (*main.point) 0x… = {X = 1, Y = 2}             (followed one level)
# Arrays and structs keep gdb's own format. Everything is read from the program's DWARF and memory:
# no inferior calls. Loaded from the ELF view's .debug_gdb_scripts section or gdb-scripts/aix-gdbstub.py.
import re

import gdb

# ---------------------------------------------------------------- memory and runtime types

_byteorder = None


def _order():
    global _byteorder
    if _byteorder is None:
        _byteorder = "little" if "little endian" in gdb.execute("show endian", to_string=True) else "big"
    return _byteorder


def _read(addr, size):
    return bytes(gdb.selected_inferior().read_memory(addr, size))


def _u(addr, size):
    return int.from_bytes(_read(addr, size), _order())


def _i32(addr):
    return int.from_bytes(_read(addr, 4), _order(), signed=True)


# internal/abi.Type (Go 1.24) and runtime._type (Go 1.19) share this 64-bit layout.
_TYPE_TFLAG = 20
_TYPE_KIND = 23
_TYPE_STR = 40
_TFLAG_UNCOMMON = 1
_TFLAG_EXTRA_STAR = 2
_TFLAG_NAMED = 4
_KIND_MASK = 0x1F
_KIND_DIRECT_IFACE = 0x20
_KIND_PTR = 22
_KIND_STRING = 24
_KIND_SLICE = 23
_SIZED_INTS = {2: "int%d", 7: "uint%d", 12: "uint%d"}  # int, uint, uintptr

# Size of the kind-specific type struct the uncommon type follows, by kind: (Go 1.24 name, Go 1.19 name, size).
_KIND_STRUCTS = {
    17: ("internal/abi.ArrayType", "runtime.arraytype", 72),
    18: ("internal/abi.ChanType", "runtime.chantype", 64),
    19: ("internal/abi.FuncType", "runtime.functype", 56),
    20: ("internal/abi.InterfaceType", "runtime.interfacetype", 80),
    21: ("internal/abi.SwissMapType", "runtime.maptype", 112),
    22: ("internal/abi.PtrType", "runtime.ptrtype", 56),
    23: ("internal/abi.SliceType", "runtime.slicetype", 56),
    25: ("internal/abi.StructType", "runtime.structtype", 80),
}
_TYPE_SIZE = 48

_cache = {}


def _reset_cache(_event=None):
    _cache.clear()


gdb.events.new_objfile.connect(_reset_cache)


def _kind_struct_size(kind):
    key = ("kindsize", kind)
    if key not in _cache:
        size = _TYPE_SIZE
        if kind in _KIND_STRUCTS:
            new, old, size = _KIND_STRUCTS[kind]
            names = [new, old] if kind != 21 else [new, "internal/abi.OldMapType", old]
            for name in names:
                try:
                    size = gdb.lookup_type(name).sizeof
                    break
                except gdb.error:
                    pass
        _cache[key] = size
    return _cache[key]


def _types_base():
    """runtime.firstmoduledata.types: name offsets in runtime types are relative to it (one module)."""
    if "types" not in _cache:
        _cache["types"] = int(gdb.parse_and_eval("'runtime.firstmoduledata'")["types"])
    return _cache["types"]


def _name_at(addr):
    """A runtime name: a flags byte, a uvarint length, the bytes (Go 1.17 and later)."""
    length, shift, at = 0, 0, addr + 1
    while True:
        b = _u(at, 1)
        at += 1
        length |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    return _read(at, length).decode("utf-8", "replace") if length else ""


def go_type_name(rtype):
    """The Go name of a runtime type (what %T prints): int, *main.point, map[string]int."""
    key = ("name", rtype)
    if key not in _cache:
        name = _name_at(_types_base() + _i32(rtype + _TYPE_STR))
        if _u(rtype + _TYPE_TFLAG, 1) & _TFLAG_EXTRA_STAR:
            name = name[1:]
        _cache[key] = name
    return _cache[key]


def _pkg_path(rtype):
    """The import path of a named type's package (internal/poll for poll.FD), or None."""
    if not _u(rtype + _TYPE_TFLAG, 1) & _TFLAG_UNCOMMON:
        return None
    kind = _u(rtype + _TYPE_KIND, 1) & _KIND_MASK
    off = _i32(rtype + _kind_struct_size(kind))
    return _name_at(_types_base() + off) if off else None


def _lookup(name):
    for candidate in (name, "struct " + name):
        try:
            return gdb.lookup_type(candidate)
        except gdb.error:
            pass
    return None


def gdb_type_for(rtype):
    """The gdb type (from DWARF) of a runtime type, or None when the program's DWARF has none."""
    key = ("gdbtype", rtype)
    if key in _cache:
        return _cache[key]
    name = go_type_name(rtype)
    kind = _u(rtype + _TYPE_KIND, 1) & _KIND_MASK
    found = None
    if _u(rtype + _TYPE_TFLAG, 1) & _TFLAG_NAMED:
        # The runtime names a type by its package's last element (poll.FD), DWARF by the import path.
        pkg = _pkg_path(rtype)
        if pkg and "." in name and not name.startswith(pkg + "."):
            found = _lookup(pkg + name[name.index(".") :])
    if found is None:
        found = _lookup(name)
    if found is None and kind == _KIND_PTR:
        elem = gdb_type_for(_u(rtype + _TYPE_SIZE, 8))
        found = elem.pointer() if elem is not None else None
    size = _u(rtype, 8)
    if found is not None and found.sizeof != size and kind in _SIZED_INTS:
        # gdb's built-in Go int/uint/uintptr are 32 bits wide; the program's are 64.
        found = _lookup(_SIZED_INTS[kind] % (size * 8))
    _cache[key] = found
    return found


# ---------------------------------------------------------------- recognising Go values


def _struct_name(t):
    t = t.strip_typedefs()
    return t.name or t.tag if t.code == gdb.TYPE_CODE_STRUCT else None


def _fields(t):
    """[(name, type code)] of a struct type; [] for anything else."""
    t = t.strip_typedefs()
    if t.code != gdb.TYPE_CODE_STRUCT:
        return []
    return [(f.name, f.type.strip_typedefs().code) for f in t.fields()]


def _field_names(t):
    return [name for name, _ in _fields(t)]


_INT = gdb.TYPE_CODE_INT


def is_string(t):
    # By shape, not name: a named string type (type path string) is its own DWARF struct.
    return _fields(t) == [("str", gdb.TYPE_CODE_PTR), ("len", _INT)]


def is_slice(t):
    # By shape too: type buffer []byte is a struct named fmt.buffer.
    return _fields(t) == [("array", gdb.TYPE_CODE_PTR), ("len", _INT), ("cap", _INT)]


def _pointee_struct_name(t):
    s = t.strip_typedefs()
    if s.code != gdb.TYPE_CODE_PTR:
        return None
    return _struct_name(s.target())


def is_map(t):
    name = _pointee_struct_name(t)
    return name is not None and (name.startswith("map<") or name.startswith("hash<"))


def is_chan(t):
    name = _pointee_struct_name(t)
    return name is not None and name.startswith("hchan<")


def is_iface(t):
    return _struct_name(t) in ("runtime.iface", "runtime.eface")


def is_struct_pointer(t):
    """A pointer to a Go struct that is not one of the runtime's own representations above."""
    if _pointee_struct_name(t) is None or is_map(t) or is_chan(t):
        return False
    target = t.strip_typedefs().target()
    return not (is_slice(target) or is_string(target) or is_iface(target))


def go_name(t):
    """How Go spells a DWARF type: the typedef name (main.point, map[string]int) or *T for a pointer."""
    if t.name:
        return t.name
    if t.code == gdb.TYPE_CODE_PTR:
        return "*" + go_name(t.target())
    return str(t)


# ---------------------------------------------------------------- printers


class StringPrinter:
    def __init__(self, val):
        self.val = val

    def display_hint(self):
        return "string"

    def to_string(self):
        length = int(self.val["len"])
        if length < 0:
            return "<invalid string: len %d>" % length
        if length == 0:
            return ""
        return self.val["str"].lazy_string(encoding="utf-8", length=length)


class SlicePrinter:
    def __init__(self, val):
        self.val = val
        self.length = int(val["len"])
        self.cap = int(val["cap"])

    def valid(self):
        return 0 <= self.length <= self.cap

    def display_hint(self):
        return "array"

    def to_string(self):
        t = go_name(self.val.type)
        if not self.valid():
            return "%s <invalid: len %d, cap %d>" % (t, self.length, self.cap)
        if int(self.val["array"]) == 0 and self.cap == 0:
            return "%s nil" % t
        return "%s len: %d, cap: %d" % (t, self.length, self.cap)

    def children(self):
        if not self.valid():
            return
        array = self.val["array"]
        for i in range(self.length):
            yield "[%d]" % i, (array + i).dereference()


def _split_map_name(name):
    """'map[K]V' -> (K, V) with nested brackets respected; (None, None) when it is not one."""
    if not name or not name.startswith("map["):
        return None, None
    depth = 0
    for i in range(3, len(name)):
        if name[i] == "[":
            depth += 1
        elif name[i] == "]":
            depth -= 1
            if depth == 0:
                return name[4:i], name[i + 1 :]
    return None, None


def _indirect(slot_value, declared):
    """Keys and values over 128 bytes are stored as pointers to them (both map implementations)."""
    t = slot_value.type.strip_typedefs()
    if declared is not None and t.code == gdb.TYPE_CODE_PTR and go_name(slot_value.type) != declared:
        return slot_value.dereference()
    return slot_value


def map_len(val):
    h = val.dereference()
    return int(h["used"]) if "used" in _field_names(h.type) else int(h["count"])


def map_entries(val):
    """(key, value) gdb.Values of a Go map in storage order; val is the map pointer."""
    if int(val) == 0:
        return
    fields = _field_names(val.type.strip_typedefs().target())
    k_name, v_name = _split_map_name(val.type.name)
    raw = _swiss_entries(val) if "dirPtr" in fields else _hmap_entries(val)
    left = map_len(val)  # the map's own count: no scan of empty groups after the last entry
    for k, v in raw:
        if left <= 0:
            return
        left -= 1
        yield _indirect(k, k_name), _indirect(v, v_name)


_MIN_TOP_HASH = 5  # Go 1.19 hmap: tophash values below it mark empty or evacuated slots
_BUCKET_SLOTS = 8
_SAME_SIZE_GROW = 8


def _hmap_entries(h):
    h = h.dereference()
    b = int(h["B"])
    seen = set()
    for buckets, count in ((h["buckets"], 1 << b), (h["oldbuckets"], (1 << b) if int(h["flags"]) & _SAME_SIZE_GROW else (1 << b) >> 1)):
        # During growth an entry lives either in an old bucket not yet evacuated or in a new one;
        # an evacuated old slot keeps a tophash below minTopHash, so counting only live slots in
        # both arrays gives every entry once.
        if int(buckets) == 0:
            continue
        for i in range(count):
            bp = buckets + i
            while int(bp) != 0:
                bucket = bp.dereference()
                for slot in range(_BUCKET_SLOTS):
                    if int(bucket["tophash"][slot]) >= _MIN_TOP_HASH:
                        yield bucket["keys"][slot], bucket["values"][slot]
                bp = bucket["overflow"]
                if int(bp) in seen:
                    break  # a corrupt overflow chain: stop rather than loop
                seen.add(int(bp))


_GROUP_SLOTS = 8


def _group_entries(group):
    ctrl = int(group["ctrl"])
    slots = group["slots"]
    for i in range(_GROUP_SLOTS):
        # ctrl byte i (as the runtime's ctrlGroup.get reads it on either byte order) is bits 8i..8i+7
        # of the word; its top bit set means empty or deleted.
        if (ctrl >> (8 * i)) & 0x80 == 0:
            yield slots[i]["key"], slots[i]["elem"]


def _swiss_entries(m):
    m = m.dereference()
    table_type = m["dirPtr"].type.target().target()  # table<K,V>
    group_ptr_type = [f.type for f in table_type["groups"].type.fields() if f.name == "data"][0]
    dir_len = int(m["dirLen"])
    if dir_len == 0:
        # A small map: dirPtr points to one group, no table.
        if int(m["dirPtr"]) != 0:
            yield from _group_entries(m["dirPtr"].cast(group_ptr_type).dereference())
        return
    directory = m["dirPtr"]
    seen = set()
    for i in range(dir_len):
        table = (directory + i).dereference()
        # Several directory entries point to the same table while its local depth is below the global one.
        if int(table) in seen or int(table) == 0:
            continue
        seen.add(int(table))
        groups = table.dereference()["groups"]
        data = groups["data"]
        for g in range(int(groups["lengthMask"]) + 1):
            yield from _group_entries((data + g).dereference())


class _RuntimePointerPrinter:
    """Maps and channels are pointers to runtime structs: "<type> nil" or "<type> <header>"."""

    hint = None

    def __init__(self, val):
        self.val = val

    def display_hint(self):
        return self.hint

    def to_string(self):
        t = go_name(self.val.type)
        return "%s nil" % t if int(self.val) == 0 else "%s %s" % (t, self.header())


class MapPrinter(_RuntimePointerPrinter):
    hint = "map"

    def header(self):
        return "len: %d" % map_len(self.val)

    def children(self):
        n = 0
        for k, v in map_entries(self.val):
            yield "[%d]" % n, k
            yield "[%d]" % (n + 1), v
            n += 2


class ChanPrinter(_RuntimePointerPrinter):
    hint = "array"

    def header(self):
        c = self.val.dereference()
        closed = ", closed" if int(c["closed"]) else ""
        return "len: %d, cap: %d%s" % (int(c["qcount"]), int(c["dataqsiz"]), closed)

    def children(self):
        if int(self.val) == 0:
            return
        c = self.val.dereference()
        size = int(c["dataqsiz"])
        if size == 0 or int(c["buf"]) == 0:
            return
        # sudog<T>.elem is a *T: the DWARF's way of naming the element type.
        elem_ptr = [f.type for f in c["recvq"]["first"].type.target().fields() if f.name == "elem"][0]
        buf = c["buf"].cast(elem_ptr)
        recvx = int(c["recvx"])
        for i in range(min(int(c["qcount"]), size)):
            yield "[%d]" % i, (buf + (recvx + i) % size).dereference()


def iface_dynamic(val):
    """(Go type name, gdb.Value or None) of an interface's dynamic value; (None, None) for nil."""
    if _struct_name(val.type) == "runtime.eface":
        rtype = int(val["_type"])
    else:
        tab = int(val["tab"])
        rtype = _u(tab + 8, 8) if tab else 0  # itab.Type (1.24) / itab._type (1.19), after inter
    if rtype == 0:
        return None, None
    name = go_type_name(rtype)
    t = gdb_type_for(rtype)
    data = int(val["data"])
    if t is None:
        return name, None
    if _u(rtype + _TYPE_KIND, 1) & _KIND_DIRECT_IFACE:
        # Pointer-shaped values are stored in the data word itself.
        return name, gdb.Value(data.to_bytes(t.sizeof, _order()), t)
    return name, gdb.Value(data).cast(t.pointer()).dereference()


class IfacePrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        name, value = iface_dynamic(self.val)
        if name is None:
            return "nil"
        if value is None:
            return "(%s) %#x" % (name, int(self.val["data"]))
        text = value.format_string()
        # Printers that name the type themselves ([]int len: 2…, (*main.point) 0x…) say it once.
        if text.startswith("(%s) " % name):
            return text
        if text.startswith(name + " "):
            text = text[len(name) + 1 :]
        return "(%s) %s" % (name, text)


_following = [0]  # > 0 while a pointer's fields are printed: pointers inside are shown as addresses


class StructPointerPrinter:
    def __init__(self, val):
        self.val = val

    def readable(self):
        address = int(self.val)
        try:
            return address != 0 and bool(_read(address, 1))
        except gdb.MemoryError:
            return False

    def to_string(self):
        address = int(self.val)
        text = "(%s) %s" % (go_name(self.val.type), "%#x" % address if address else "nil")
        # An uninitialised local often holds a stale address: say so instead of a field error.
        return text if address == 0 or self.readable() else text + " <unreadable>"

    def children(self):
        if not self.readable():
            return
        target = self.val.dereference()
        _following[0] += 1
        try:
            for f in target.type.strip_typedefs().fields():
                yield f.name, target[f.name]
        finally:
            _following[0] -= 1


def lookup_go_printer(val):
    t = val.type
    try:
        if is_string(t):
            return StringPrinter(val)
        if is_slice(t):
            return SlicePrinter(val)
        if is_iface(t):
            return IfacePrinter(val)
        if is_map(t):
            return MapPrinter(val)
        if is_chan(t):
            return ChanPrinter(val)
        if _following[0] == 0 and is_struct_pointer(t):
            return StructPointerPrinter(val)
    except gdb.error:
        return None
    return None


# ---------------------------------------------------------------- indexing: p s[1], p m["k"]


def go_index(container, index):
    """container[index] with Go's meaning for slices, strings and maps (int and string keys)."""
    t = container.type
    if is_slice(t):
        i, n = int(index), int(container["len"])
        if not 0 <= i < n:
            raise gdb.GdbError("index out of range [%d] with length %d" % (i, n))
        return (container["array"] + i).dereference()
    if is_string(t):
        i, n = int(index), int(container["len"])
        if not 0 <= i < n:
            raise gdb.GdbError("index out of range [%d] with length %d" % (i, n))
        return (container["str"] + i).dereference()
    if is_map(t):
        want = _key_of(index)
        for k, v in map_entries(container):
            if _key_of(k) == want:
                return v
        raise gdb.GdbError("key %s not in map" % ('"%s"' % want if isinstance(want, str) else want))
    return container[index]


def _key_of(v):
    if is_string(v.type):
        n = int(v["len"])
        return _read(int(v["str"]), n).decode("utf-8", "replace") if n else ""
    if v.type.strip_typedefs().code == gdb.TYPE_CODE_ARRAY and v.type.strip_typedefs().target().sizeof == 1:
        return v.string()  # a C string literal typed as char array
    try:
        return int(v)
    except gdb.error:
        return str(v)


def _struct_value(t, values):
    """A value of struct type t whose integer/pointer fields are given by name (the rest zero)."""
    raw = bytearray(t.sizeof)
    for f in t.strip_typedefs().fields():
        if f.name in values:
            at, size = f.bitpos // 8, f.type.sizeof
            raw[at : at + size] = (values[f.name] % (1 << (8 * size))).to_bytes(size, _order())
    return gdb.Value(bytes(raw), t)


def go_slice(container, low, high=None):
    """container[low:high] of a slice (high up to cap) or string, as Go makes it: a slice or string."""
    t = container.type
    if is_slice(t):
        data, limit, what = "array", int(container["cap"]), "capacity"
    elif is_string(t):
        data, limit, what = "str", int(container["len"]), "length"
    else:
        raise gdb.GdbError("cannot slice %s" % go_name(t))
    lo = int(low)
    hi = int(container["len"]) if high is None else int(high)
    if not 0 <= lo <= hi <= limit:
        raise gdb.GdbError("slice bounds out of range [%d:%d] with %s %d" % (lo, hi, what, limit))
    pointer = container[data]
    start = int(pointer + lo) if hi > lo or lo < limit else int(pointer)
    return _struct_value(t, {data: start, "len": hi - lo, "cap": limit - lo})


class GoIndexFunction(gdb.Function):
    """$_go_index(container, index): Go indexing of a slice, string or map (what p x[i] runs)."""

    def __init__(self):
        super().__init__("_go_index")

    def invoke(self, container, index):
        return go_index(container, index)


class GoSliceFunction(gdb.Function):
    """$_go_slice(container, low[, high]): container[low:high] of a slice or string (what p x[a:b] runs)."""

    def __init__(self):
        super().__init__("_go_slice")

    def invoke(self, container, low, high=None):
        return go_slice(container, low, high)


_OPERAND = re.compile(r"[\w$.']")


def _operand_start(expr, end):
    """Start of the postfix operand ending just before expr[end] (names, dots, calls and subscripts)."""
    i = end
    while i > 0:
        c = expr[i - 1]
        if c in ")]":
            opener, depth = "(" if c == ")" else "[", 0
            while i > 0:
                i -= 1
                if expr[i] == c:
                    depth += 1
                elif expr[i] == opener:
                    depth -= 1
                    if depth == 0:
                        break
        elif _OPERAND.match(c) or (c == ">" and i > 1 and expr[i - 2] == "-"):
            i -= 2 if c == ">" else 1
        else:
            break
    return i


def _unquoted(expr, start=0):
    """(index, char) of expr from start, skipping "…" and '…' literals (with backslash escapes)."""
    i, quote = start, None
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        else:
            yield i, c
        i += 1


def _close_bracket(expr, start):
    depth = 0
    for i, c in _unquoted(expr, start):
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _next_open_bracket(expr, start):
    return next((i for i, c in _unquoted(expr, start) if c == "["), -1)


def _top_level_colon(index):
    depth = 0
    for i, c in _unquoted(index):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == ":" and depth == 0:
            return i
    return -1


def rewrite_go_indexing(expr):
    """Turns s[i] into $_go_index(s, i) and s[a:b] into $_go_slice(s, a, b) wherever s is a Go slice,
    string or map; the rest is left alone."""
    at = 0
    while True:
        open_at = _next_open_bracket(expr, at)
        if open_at < 0:
            return expr
        close_at = _close_bracket(expr, open_at)
        if close_at < 0:
            return expr
        start = _operand_start(expr, open_at)
        operand = expr[start:open_at].strip()
        at = open_at + 1
        if not operand:
            continue
        try:
            t = gdb.parse_and_eval(operand).type
        except gdb.error:
            continue
        if is_slice(t) or is_string(t) or is_map(t):
            index = rewrite_go_indexing(expr[open_at + 1 : close_at])
            colon = _top_level_colon(index)
            if colon >= 0:
                low, high = index[:colon].strip() or "0", index[colon + 1 :].strip()
                replacement = "$_go_slice(%s, %s)" % (operand, low + (", " + high if high else ""))
            else:
                replacement = "$_go_index(%s, %s)" % (operand, index)
            expr = expr[:start] + replacement + expr[close_at + 1 :]
            at = start + len(replacement)


class GoPrint(gdb.Command):
    """Print value of expression EXP (gdb's print, with Go indexing of slices, strings and maps).

Usage: print [[OPTION]... --] [/FMT] [EXP]
s[i], str[i] and m[key] on Go slices, strings and maps become $_go_index(s, i), s[a:b] becomes
$_go_slice(s, a, b) (a new slice or string, as in Go); the result is printed by gdb's own `call`
command, which shares print's options and formats."""

    def __init__(self):
        super().__init__("print", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        try:
            gdb.execute("call " + rewrite_go_indexing(arg), from_tty)
        except gdb.error as e:
            raise gdb.GdbError(str(e))  # gdb's own message, without a Python traceback line


def register():
    # Global, not per objfile: the script may be sourced before `target remote` loads the symbols.
    # Sourcing it again replaces the previous copy.
    gdb.pretty_printers[:] = [p for p in gdb.pretty_printers if getattr(p, "__name__", "") != "lookup_go_printer"]
    gdb.pretty_printers.insert(0, lookup_go_printer)
    GoIndexFunction()
    GoSliceFunction()
    GoPrint()


register()
