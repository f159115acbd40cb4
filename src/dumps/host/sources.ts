/**
 * Where a host's dumps come from: a directory tree (a sosreport root, several of them, or a plain
 * directory of pasted dumps) or a sosreport archive (.tar, .tar.gz/.tgz, .tar.xz) streamed member by
 * member — never unpacked to disk. Each text file is handed over with its path relative to the input
 * and a display name (`archive.tar.xz!sosreport-x/sos_commands/...`) for diagnostics.
 */
import { isAscii } from "node:buffer";
import { createReadStream, type Dirent, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import * as xzModule from "xz-decompress";

// xz-decompress is CommonJS: Node's ESM loader exposes it as the default export only, esbuild's
// bundle as named exports; take whichever is there.
const { XzReadableStream } = (xzModule as unknown as { default?: typeof xzModule }).default ?? xzModule;

export interface SourceFile {
  /** Path relative to the input, with `/` separators. */
  relPath: string;
  /** How diagnostics name the file. */
  display: string;
  text: string;
}

/** A file that was seen but not read, and why (too big, binary, unreadable). */
export interface SkippedFile {
  display: string;
  reason: string;
}

/** The largest dump read (a 100k-flow dump is ~30 MB; beyond this it is not a dump). */
export const MAX_DUMP_BYTES = 512 * 1024 * 1024;

/** sosreport directories that never hold OVS or network dumps (logs, /etc, /proc copies). */
const SOS_IRRELEVANT = new Set([
  "etc",
  "var",
  "proc",
  "sys",
  "usr",
  "lib",
  "run",
  "boot",
  "opt",
  "root",
  "home",
]);
const SOS_COMMAND_DIRS = new Set([
  "openvswitch",
  "networking",
  "host",
  "bridge",
  "openstack_neutron",
  "firewall_tables",
  "conntrack",
  "ovn_central",
  "ovn_host",
]);

/** OVN's database files, which sos copies from /var/lib/ovn (or /etc/ovn, /var/lib/openvswitch/ovn). */
const OVN_DB_FILE = /(^|\/)(var\/lib\/ovn|etc\/ovn|var\/lib\/openvswitch\/ovn)\/ovn(nb|sb)_db\.db$/;

/** Whether a path (relative to the input) may hold a dump worth reading. */
export function mayHoldDump(relPath: string): boolean {
  const parts = relPath.split("/");
  const sos = parts.indexOf("sos_commands");
  if (sos >= 0) return SOS_COMMAND_DIRS.has(parts[sos + 1] ?? "");
  if (parts.some((p) => p.startsWith("sos_"))) return false;
  if (OVN_DB_FILE.test(relPath)) return true;
  // Inside a sosreport root, its copies of /etc, /var, ... (at depth 1 or 2: archives add a top dir).
  return !parts.slice(0, -1).some((p, i) => i < 2 && SOS_IRRELEVANT.has(p));
}

/** Whether a directory may contain such files (so the walk descends into it). */
function mayHoldDumpsBelow(relDir: string): boolean {
  const parts = relDir.split("/");
  const sos = parts.indexOf("sos_commands");
  if (sos >= 0) return sos === parts.length - 1 || SOS_COMMAND_DIRS.has(parts[sos + 1]);
  return mayHoldDump(`${relDir}/x`) || OVN_DB_FILE.test(`${relDir}/ovnnb_db.db`) || isOvnDbParent(relDir);
}

/** `var`, `var/lib` (and with a top directory): the way down to an OVN database file. */
function isOvnDbParent(relDir: string): boolean {
  return /(^|\/)(var|var\/lib|etc|var\/lib\/openvswitch)$/.test(relDir) && relDir.split("/").length <= 4;
}

export function isArchive(path: string): boolean {
  return /\.(tar|tar\.gz|tgz|tar\.xz|txz)$/i.test(path);
}

/** True when the bytes look like text (no NUL in the first 8 KiB). */
function isText(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 8192);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return false;
  return true;
}

export interface Collected {
  files: SourceFile[];
  skipped: SkippedFile[];
}

/** Reads a directory tree (or one file). */
export function readTree(input: string): Collected {
  const out: Collected = { files: [], skipped: [] };
  const st = statSync(input);
  if (st.isFile()) {
    addBuffer(out, basename(input), input, readFileSync(input));
    return out;
  }
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      out.skipped.push({ display: dir, reason: (e as Error).message });
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, e.name);
      const rel = relative(input, full).split("\\").join("/");
      if (e.isDirectory()) {
        if (mayHoldDumpsBelow(rel)) walk(full);
      } else if (e.isFile() && mayHoldDump(rel)) {
        const size = statSync(full).size;
        if (size > MAX_DUMP_BYTES)
          out.skipped.push({ display: full, reason: `larger than ${MAX_DUMP_BYTES} bytes` });
        else addBuffer(out, rel, full, readFileSync(full));
      }
    }
  };
  walk(input);
  return out;
}

function addBuffer(out: Collected, relPath: string, display: string, buf: Uint8Array): void {
  if (!isText(buf)) out.skipped.push({ display, reason: "binary" });
  else {
    // Buffer.from(view) would copy the whole file first: decoded in place when it is a Buffer already.
    const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    // ASCII (nearly every dump) decodes the same as Latin-1, which copies bytes without UTF-8's checks:
    // a third of the time on an 18 MB flow dump.
    out.files.push({ relPath, display, text: bytes.toString(isAscii(bytes) ? "latin1" : "utf8") });
  }
}

/** Streams an archive and keeps the members that may hold dumps. Rejects with the member at fault. */
export async function readArchive(path: string): Promise<Collected> {
  const out: Collected = { files: [], skipped: [] };
  let raw: Readable = createReadStream(path);
  if (/\.(tar\.gz|tgz)$/i.test(path)) raw = raw.pipe(createGunzip());
  else if (/\.(tar\.xz|txz)$/i.test(path))
    raw = Readable.fromWeb(new XzReadableStream(Readable.toWeb(raw) as ReadableStream<Uint8Array>) as never);
  const tar = extract();
  let current = "";
  const done = new Promise<void>((resolve, reject) => {
    tar.on("entry", (header, stream, next) => {
      current = header.name.replace(/^\.\//, "");
      const display = `${path}!${current}`;
      const wanted = header.type === "file" && mayHoldDump(current);
      if (!wanted || (header.size ?? 0) > MAX_DUMP_BYTES) {
        if (wanted) out.skipped.push({ display, reason: `larger than ${MAX_DUMP_BYTES} bytes` });
        stream.on("end", next);
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        addBuffer(out, current, display, Buffer.concat(chunks));
        next();
      });
      stream.on("error", reject);
    });
    tar.on("finish", resolve);
    tar.on("error", reject);
    raw.on("error", reject);
  });
  raw.pipe(tar);
  try {
    await done;
  } catch (e) {
    const where = current ? ` in member ${current}` : "";
    throw new Error(`${path}: damaged archive${where}: ${(e as Error).message}`);
  }
  return out;
}
