// Public entry of the gdb layer: the TCP server, the byte-level session, the Target interface the
// emulator implements, and the 64-bit Power register description.
export { GdbServer } from './server.js';
export type { GdbServerOptions } from './server.js';
export { GdbSession, DEFAULT_PACKET_SIZE } from './session.js';
export type { SessionIo, SessionOptions, LeavePolicy } from './session.js';
export { GdbSignal, isTargetError } from './target.js';
export type {
  Address, BreakpointKind, ExecFile, ResumeAction, ResumeRequest, StopEvent, StopReason, SyscallCatch, Target,
  TargetError, ThreadId,
} from './target.js';
export {
  PPC64_REGISTERS, PPC64_REGISTER_BYTES, PPC64_REGISTER_COUNT, PPC64_REGNUM, PPC64_TARGET_XML,
  clonePpc64Registers, createPpc64Registers, deserializePpc64Registers, readPpc64Register,
  serializePpc64Registers, writePpc64Register,
} from './arch/ppc64.js';
export type { Ppc64Registers, RegisterInfo } from './arch/ppc64.js';
export { PacketReceiver, encodePacket, checksumOf } from './rsp/framing.js';
export type { RspEvent } from './rsp/framing.js';
