/**
 * The lines of an audit file read in chunks, never as one string: V8 cannot hold a string of more
 * than about 512 MB (a million records), and a reader that did would stop answering at that size.
 * Lines are split on the byte 0x0A, which is never part of a multi-byte UTF-8 sequence, and given
 * as bytes: decoding is the reader's, so that a line that is not UTF-8 is refused, never repaired
 * (docs/AUDIT.md §2, §5).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** One line, without its "\n". `cut`: the bytes after the last "\n" (a line cut short); only the last line can be. */
export interface Line {
  bytes: Buffer;
  cut: boolean;
}

export interface LineSource {
  /** The lines in order; when the content does not end with "\n", the last one is `cut`. */
  lines(): Iterable<Line>;
}

const NEWLINE = 0x0a;
const CHUNK_BYTES = 1 << 20;

/** Lines of bytes held in memory (tests, short files); text is taken as its UTF-8. */
export function bufferLines(content: Buffer | string): LineSource {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return {
    *lines() {
      let start = 0;
      for (let nl = bytes.indexOf(NEWLINE); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
        yield { bytes: bytes.subarray(start, nl), cut: false };
        start = nl + 1;
      }
      if (start < bytes.length) yield { bytes: bytes.subarray(start), cut: true };
    },
  };
}

/** Lines of the file at `path`, up to `bytes` (default: its size when opened). */
export function fileLines(path: string, bytes?: number, chunkBytes = CHUNK_BYTES): LineSource {
  return {
    *lines() {
      const fd = openSync(path, 'r');
      try {
        const size = Math.min(bytes ?? Number.POSITIVE_INFINITY, fstatSync(fd).size);
        const chunk = Buffer.allocUnsafe(chunkBytes);
        let carried: Buffer[] = [];
        for (let at = 0; at < size;) {
          const read = readSync(fd, chunk, 0, Math.min(chunkBytes, size - at), at);
          if (read === 0) break; // cut while we read: what is there is what we have
          at += read;
          let start = 0;
          for (let nl = chunk.indexOf(NEWLINE, 0); nl !== -1 && nl < read; nl = chunk.indexOf(NEWLINE, start)) {
            // A copy: the chunk is read into again, and a caller may keep the line.
            yield { bytes: Buffer.concat([...carried, chunk.subarray(start, nl)]), cut: false };
            carried = [];
            start = nl + 1;
          }
          if (start < read) carried.push(Buffer.from(chunk.subarray(start, read)));
        }
        if (carried.length > 0) yield { bytes: Buffer.concat(carried), cut: true };
      } finally {
        closeSync(fd);
      }
    },
  };
}
