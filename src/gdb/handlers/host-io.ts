// Host I/O (vFile): the subset gdb uses to read the executable it debugs. The only file served is
// the target's exec file (read-only); a client may hold a bounded number of them open.
import { parseVFile, type VFilePacket } from '../commands/vfile.js';
import { route, type PacketRoute } from '../packet-table.js';
import { FileIoErrno, UNSUPPORTED, hostIoError, type Reply } from '../replies.js';
import type { SessionState } from './context.js';

/**
 * Host I/O replies stay at HOSTIO_CHUNK: gdb's vFile readahead asks for a whole packet's worth on
 * every small read of the exec file, which would make loading symbols slower.
 */
const HOSTIO_CHUNK = 0x10000;
const HOSTIO_SEEK_CHUNK = 0x1000;
/** gdb keeps one or two open; a client opening more without closing them is not gdb. */
export const DEFAULT_MAX_OPEN_FILES = 32;
// gdb's struct stat as sent over the wire (Remote Protocol, "struct stat").
const FILEIO_STAT_BYTES = 64;

function withHeader(head: string, data: Uint8Array): Uint8Array {
  const h = Buffer.from(head, 'latin1');
  const out = new Uint8Array(h.length + data.length);
  out.set(h);
  out.set(data, h.length);
  return out;
}

function hostIo(s: SessionState, f: VFilePacket): Reply {
  switch (f.op) {
    case 'setfs':
      return 'F0';
    case 'open': {
      const file = s.target.execFile?.();
      if (file === undefined || file.path !== f.path) return hostIoError(FileIoErrno.ENOENT);
      if ((f.flags & 3) !== 0) return hostIoError(FileIoErrno.EACCES); // read-only view
      if (s.openFiles.size >= (s.options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES)) return hostIoError(FileIoErrno.EMFILE);
      const fd = s.nextFd++;
      s.openFiles.set(fd, { contents: file.contents, nextOffset: 0 });
      return 'F' + fd.toString(16);
    }
    case 'pread': {
      const file = s.openFiles.get(f.fd);
      if (file === undefined) return hostIoError(FileIoErrno.EBADF);
      const contents = file.contents;
      // Worst case every byte is escaped: keep the reply inside the packet size. gdb asks for a
      // whole packet on every read-ahead miss while BFD hops between headers and sections; a read
      // that does not continue the previous one gets a short answer (a legal pread result), so
      // only sequential reads move 64 KiB at a time. cpuheavy: 4.7 MB -> about 1 MB on the wire.
      const limit = f.offset === file.nextOffset ? HOSTIO_CHUNK : HOSTIO_SEEK_CHUNK;
      const count = Math.min(f.count, Math.floor(s.packetSize / 2) - 32, limit);
      const data = contents.subarray(Math.min(f.offset, contents.length), Math.min(f.offset + count, contents.length));
      file.nextOffset = f.offset + data.length;
      return withHeader(`F${data.length.toString(16)};`, data);
    }
    case 'close':
      return s.openFiles.delete(f.fd) ? 'F0' : hostIoError(FileIoErrno.EBADF);
    case 'fstat': {
      const contents = s.openFiles.get(f.fd)?.contents;
      if (contents === undefined) return hostIoError(FileIoErrno.EBADF);
      const stat = new Uint8Array(FILEIO_STAT_BYTES);
      const v = new DataView(stat.buffer);
      v.setUint32(8, 0o100444); // st_mode: regular file, read-only
      v.setUint32(12, 1); // st_nlink
      v.setBigUint64(28, BigInt(contents.length)); // st_size
      v.setBigUint64(36, 4096n); // st_blksize
      v.setBigUint64(44, BigInt(Math.ceil(contents.length / 512))); // st_blocks
      return withHeader(`F${FILEIO_STAT_BYTES.toString(16)};`, stat);
    }
    case 'unsupported':
      return UNSUPPORTED;
  }
}

export const hostIoPackets: PacketRoute[] = [
  route('vFile:', parseVFile, hostIo, { malformed: () => hostIoError(FileIoErrno.EINVAL) }),
];
