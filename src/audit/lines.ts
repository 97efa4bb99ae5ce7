/**
 * The lines of an audit file read in chunks, never as one string: V8 cannot hold a string of more
 * than about 512 MB (a million records), and a reader that did would stop answering at that size.
 * Lines are split on the byte 0x0A, which is never part of a multi-byte UTF-8 sequence.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface LineSource {
  /** The complete lines (each ended by "\n", given without it), in order. */
  lines(): Iterable<string>;
  /** Whether the content is empty or ends with "\n"; otherwise its last line was cut short. */
  endsCleanly(): boolean;
}

const NEWLINE = 0x0a;
const CHUNK_BYTES = 1 << 20;

/** Lines of a text held in memory (tests, short files). */
export function textLines(text: string): LineSource {
  return {
    *lines() {
      const parts = text.split('\n');
      parts.pop();
      yield* parts;
    },
    endsCleanly: () => text === '' || text.endsWith('\n'),
  };
}

/** Lines of the file at `path`, up to `bytes` (default: its size when read). */
export function fileLines(path: string, bytes?: number, chunkBytes = CHUNK_BYTES): LineSource {
  /** The file opened for reading, and how much of it to read. */
  const open = (): { fd: number; size: number } => {
    const fd = openSync(path, 'r');
    try {
      return { fd, size: Math.min(bytes ?? Number.POSITIVE_INFINITY, fstatSync(fd).size) };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  };
  return {
    *lines() {
      const { fd, size } = open();
      try {
        const chunk = Buffer.allocUnsafe(chunkBytes);
        let carried: Buffer[] = [];
        for (let at = 0; at < size; ) {
          const read = readSync(fd, chunk, 0, Math.min(chunkBytes, size - at), at);
          if (read === 0) break; // cut while we read: what is there is what we have
          at += read;
          let start = 0;
          for (let nl = chunk.indexOf(NEWLINE, 0); nl !== -1 && nl < read; nl = chunk.indexOf(NEWLINE, start)) {
            const piece = chunk.subarray(start, nl);
            yield carried.length === 0 ? piece.toString('utf8') : Buffer.concat([...carried, piece]).toString('utf8');
            carried = [];
            start = nl + 1;
          }
          if (start < read) carried.push(Buffer.from(chunk.subarray(start, read)));
        }
      } finally {
        closeSync(fd);
      }
    },
    endsCleanly() {
      const { fd, size } = open();
      try {
        const last = Buffer.alloc(1);
        return size === 0 || (readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === NEWLINE);
      } finally {
        closeSync(fd);
      }
    },
  };
}
