// Reads a VSIX (a zip) the way VS Code will unpack it: every entry's name, sizes and whether it is
// a symbolic link, from the zip's central directory. `npm run package` checks its own output with
// it, and `npm run test:package` reports what it installed.
import fs from 'node:fs';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * @returns {{ name: string, size: number, compressedSize: number, symlink: boolean }[]}
 */
export function listVsix(file) {
  const zip = fs.readFileSync(file);
  // The end record is in the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 65_557); at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY)
      throw new Error(`${file}: corrupt central directory`);
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const externalAttributes = zip.readUInt32LE(at + 38);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    // Unix permissions live in the high 16 bits when the entry was made on Unix (3).
    const symlink = madeBy === 3 && ((externalAttributes >>> 16) & S_IFMT) === S_IFLNK;
    entries.push({ name, size, compressedSize, symlink });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export const mebibytes = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
