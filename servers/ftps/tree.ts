/**
 * The virtual in-memory tree the server serves: never the host's files.
 * Paths are resolved against it with `..` clamped at the root (RFC 959 gives
 * no meaning to escaping it), so no path reaches outside.
 */

/** Every byte value, four times: a transfer that alters one shows. */
const BINARY = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
/** LF line endings, as a Unix server stores text (TYPE A puts CRLF on the wire, RFC 959 §3.1.1.1). */
const TEXT = Buffer.from(
  Array.from({ length: 40 }, (_, i) => `line ${i + 1}: the quick brown fox jumps over the lazy dog\n`).join(''),
);

export const FILES = { 'binary.bin': BINARY, 'text.txt': TEXT, 'empty.txt': Buffer.alloc(0) } as const;
export const FILE_NAMES = Object.keys(FILES) as [keyof typeof FILES, ...(keyof typeof FILES)[]];
export type FileName = keyof typeof FILES;

/** Directories of the tree. */
export const DIRECTORIES = ['/', '/pub', '/upload'] as const;

/** A fixed modification time, so listings and MDTM are reproducible. */
export const MTIME = new Date(Date.UTC(2024, 0, 15, 12, 0, 0));

export class VirtualTree {
  readonly files = new Map<string, Buffer>(Object.entries(FILES).map(([name, data]) => [`/pub/${name}`, data]));
  /** Uploads, by path: stored in memory, compared with the job's input. */
  readonly uploads = new Map<string, Buffer>();

  isDirectory(path: string): boolean {
    return (DIRECTORIES as readonly string[]).includes(path);
  }

  file(path: string): Buffer | undefined {
    return this.uploads.get(path) ?? this.files.get(path);
  }

  /** The entries of a directory, files only (subdirectories of / listed as directories). */
  entries(dir: string): { name: string; dir: boolean; size: number }[] {
    if (dir === '/')
      return [
        { name: 'pub', dir: true, size: 0 },
        { name: 'upload', dir: true, size: 0 },
      ];
    const prefix = `${dir}/`;
    return [...this.files, ...this.uploads]
      .filter(([p]) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
      .map(([p, data]) => ({ name: p.slice(prefix.length), dir: false, size: data.length }));
  }
}

/**
 * Resolves a client path against the working directory: absolute or
 * relative, `.` and `..` handled, `..` at the root stays at the root.
 * A NUL byte makes the path invalid (undefined).
 */
export function resolvePath(cwd: string, path: string): string | undefined {
  if (path.includes('\0')) return undefined;
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** One line of `ls -l`, as vsftpd writes it (RFC 959 leaves LIST's format to the server). */
export function listLine(e: { name: string; dir: boolean; size: number }): string {
  const mode = e.dir ? 'drwxr-xr-x' : '-rw-r--r--';
  return `${mode}    1 ftp      ftp      ${String(e.size).padStart(8)} Jan 15 12:00 ${e.name}\r\n`;
}

/** RFC 3659 §7 MLSD facts. */
export function mlsdLine(e: { name: string; dir: boolean; size: number }): string {
  return `type=${e.dir ? 'dir' : 'file'};size=${e.size};modify=20240115120000; ${e.name}\r\n`;
}
