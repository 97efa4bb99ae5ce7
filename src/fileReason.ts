/** Why a file could not be read or written, in words, for one-line messages that name the path. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  EEXIST: 'it exists already',
  ENOSPC: 'no space left on the device',
};

/** "no such file" for ENOENT; the bare code for what has no words here; the message otherwise. */
export const fileReason = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code && REASONS[code]) ?? code ?? String(err);
};
