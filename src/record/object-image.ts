// Snapshots of the emulator's JavaScript-side process state (threads, registers, fds, pipes,
// signals, scheduler, clock...) without per-class code: a walk from a few roots records every
// reachable object's own data properties, and a restore writes them back *into the same objects*.
// Restoring in place keeps every identity intact, so closures that captured an object (a blocked
// thread's waiter, a libc callback) still see the right one; objects created after the snapshot
// simply become unreachable again.
//
// Rules: functions, host resources (EventEmitters: sockets, servers), frozen objects (they cannot
// change in place: signal actions) and the objects named opaque are kept by reference and never
// entered; typed arrays are copied by value; plain
// objects, class instances, arrays, Maps and Sets are entered. What a closure keeps in its own
// variables is invisible here: state that must go back in time lives in objects.
import { EventEmitter } from 'node:events';

type Saved =
  | { kind: 'object'; keys: string[]; values: unknown[] }
  | { kind: 'array'; items: unknown[] }
  | { kind: 'map'; entries: Array<[unknown, unknown]> }
  | { kind: 'set'; items: unknown[] }
  | { kind: 'bytes'; copy: ArrayBufferView };

export interface ObjectImage {
  readonly saved: ReadonlyMap<object, Saved>;
  /** Bytes held by copies of typed arrays (the walk's memory cost). */
  readonly bytes: number;
}

/** More objects than this means the walk escaped into something it should treat as opaque. */
const MAX_OBJECTS = 200_000;

export function captureObjects(roots: readonly object[], opaque: ReadonlySet<object>): ObjectImage {
  const saved = new Map<object, Saved>();
  let bytes = 0;
  const stack: object[] = [...roots];
  const visit = (v: unknown): void => {
    if ((typeof v === 'object' && v !== null) && !saved.has(v) && !opaque.has(v)) stack.push(v);
  };
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (saved.has(o) || opaque.has(o) || Object.isFrozen(o) || o instanceof EventEmitter || o instanceof Promise) continue;
    if (saved.size > MAX_OBJECTS) throw new Error('process snapshot: too many objects (an opaque root is missing)');
    if (ArrayBuffer.isView(o)) {
      const copy = new Uint8Array(o.byteLength);
      copy.set(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
      saved.set(o, { kind: 'bytes', copy });
      bytes += o.byteLength;
    } else if (o instanceof ArrayBuffer || o instanceof SharedArrayBuffer) {
      // Reached only through a view, which is copied; a bare buffer is kept as is.
      continue;
    } else if (Array.isArray(o)) {
      const items = o.slice();
      saved.set(o, { kind: 'array', items });
      for (const x of items) visit(x);
    } else if (o instanceof Map) {
      const entries = [...o.entries()];
      saved.set(o, { kind: 'map', entries });
      for (const [k, x] of entries) {
        visit(k);
        visit(x);
      }
    } else if (o instanceof Set) {
      const items = [...o];
      saved.set(o, { kind: 'set', items });
      for (const x of items) visit(x);
    } else {
      // Own enumerable fields: what classes and object literals keep their state in (accessors
      // live on prototypes). Two flat arrays per object keep a snapshot cheap for the GC.
      const keys = Object.keys(o);
      const values = new Array<unknown>(keys.length);
      const rec = o as Record<string, unknown>;
      for (let i = 0; i < keys.length; i++) {
        const v = rec[keys[i]!];
        values[i] = v;
        visit(v);
      }
      saved.set(o, { kind: 'object', keys, values });
    }
  }
  return { saved, bytes };
}

export function restoreObjects(image: ObjectImage): void {
  for (const [o, s] of image.saved) {
    switch (s.kind) {
      case 'bytes': {
        const v = o as ArrayBufferView;
        new Uint8Array(v.buffer, v.byteOffset, v.byteLength).set(s.copy as Uint8Array);
        break;
      }
      case 'array': {
        const a = o as unknown[];
        a.length = s.items.length;
        for (let i = 0; i < s.items.length; i++) a[i] = s.items[i];
        break;
      }
      case 'map': {
        const m = o as Map<unknown, unknown>;
        m.clear();
        for (const [k, v] of s.entries) m.set(k, v);
        break;
      }
      case 'set': {
        const st = o as Set<unknown>;
        st.clear();
        for (const v of s.items) st.add(v);
        break;
      }
      case 'object': {
        const rec = o as Record<string, unknown>;
        const now = Object.keys(o);
        if (now.length !== s.keys.length || now.some((k, i) => k !== s.keys[i])) {
          const keep = new Set(s.keys);
          for (const key of now) if (!keep.has(key)) delete rec[key];
        }
        for (let i = 0; i < s.keys.length; i++) {
          const k = s.keys[i]!;
          if (rec[k] !== s.values[i]) rec[k] = s.values[i];
        }
        break;
      }
    }
  }
}
