/**
 * Symbol versions of Linux shared libraries, read from their ELF headers: the versions a library
 * NEEDS from others (`.gnu.version_r`, e.g. `GLIBCXX_3.4.29` from libstdc++.so.6) and the ones it
 * DEFINES (`.gnu.version_d`). Only the headers and those two small sections are read, never the
 * whole file (libtensorflow_cc is ~600 MB). This is how the start-up check tells a user which
 * symbol version their system lacks, and how `npm run package` checks what the binding requires.
 */
import fs from 'node:fs';

const SHT_GNU_VERDEF = 0x6ffffffd;
const SHT_GNU_VERNEED = 0x6ffffffe;
/** Longer names than this are cut (version and library names are far shorter). */
const MAX_NAME = 256;

interface Section {
  type: number;
  offset: number;
  size: number;
  /** Section index of the string table its names live in. */
  link: number;
  /** Number of entries (verdef/verneed). */
  info: number;
}

/** What a library needs: version names by the file that must provide them (`libstdc++.so.6` → …). */
export type NeededVersions = Map<string, Set<string>>;

class ElfFile {
  private readonly fd: number;
  readonly sections: Section[] = [];

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'r');
    try {
      const header = this.read(0, 64);
      if (header.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file`);
      if (header[4] !== 2 || header[5] !== 1)
        throw new Error(`${file} is not a 64-bit little-endian ELF file`);
      const sectionOffset = Number(header.readBigUInt64LE(0x28));
      const sectionSize = header.readUInt16LE(0x3a);
      const sectionCount = header.readUInt16LE(0x3c);
      const table = this.read(sectionOffset, sectionSize * sectionCount);
      for (let i = 0; i < sectionCount; i++) {
        const at = i * sectionSize;
        this.sections.push({
          type: table.readUInt32LE(at + 4),
          offset: Number(table.readBigUInt64LE(at + 0x18)),
          size: Number(table.readBigUInt64LE(at + 0x20)),
          link: table.readUInt32LE(at + 0x28),
          info: table.readUInt32LE(at + 0x2c),
        });
      }
    } catch (err) {
      fs.closeSync(this.fd);
      throw err;
    }
  }

  read(offset: number, length: number): Buffer {
    const buffer = Buffer.alloc(length);
    const got = fs.readSync(this.fd, buffer, 0, length, offset);
    if (got !== length) throw new Error(`${this.file}: truncated ELF file`);
    return buffer;
  }

  /**
   * The section's bytes and a reader of names from its string table, one small read per name:
   * a large library's dynamic string table is megabytes, of which a version check needs a few
   * dozen names.
   */
  contents(section: Section): { bytes: Buffer; name: (offset: number) => string } {
    const strings = this.sections[section.link]!;
    return {
      bytes: this.read(section.offset, section.size),
      name: (offset) => {
        const length = Math.min(MAX_NAME, strings.size - offset);
        const bytes = this.read(strings.offset + offset, length);
        const end = bytes.indexOf(0);
        return bytes.toString('latin1', 0, end < 0 ? length : end);
      },
    };
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function withElf<T>(file: string, read: (elf: ElfFile) => T): T {
  const elf = new ElfFile(file);
  try {
    return read(elf);
  } finally {
    elf.close();
  }
}

/** The symbol versions `file` needs, by the library that must define them. */
export function neededVersions(file: string): NeededVersions {
  return withElf(file, (elf) => {
    const needed: NeededVersions = new Map();
    for (const section of elf.sections.filter((s) => s.type === SHT_GNU_VERNEED)) {
      const { bytes, name } = elf.contents(section);
      // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
      for (let entry = 0, at = 0; entry < section.info; entry++) {
        const count = bytes.readUInt16LE(at + 2);
        const library = name(bytes.readUInt32LE(at + 4));
        const versions = needed.get(library) ?? new Set<string>();
        needed.set(library, versions);
        // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
        for (let aux = at + bytes.readUInt32LE(at + 8), k = 0; k < count; k++) {
          versions.add(name(bytes.readUInt32LE(aux + 8)));
          aux += bytes.readUInt32LE(aux + 12);
        }
        at += bytes.readUInt32LE(at + 12);
      }
    }
    return needed;
  });
}

/** The symbol versions `file` defines (e.g. every `GLIBCXX_3.4.x` of a libstdc++). */
export function definedVersions(file: string): Set<string> {
  return withElf(file, (elf) => {
    const defined = new Set<string>();
    for (const section of elf.sections.filter((s) => s.type === SHT_GNU_VERDEF)) {
      const { bytes, name } = elf.contents(section);
      // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32,
      // vd_aux u32, vd_next u32; its first Verdaux (vda_name u32, vda_next u32) names it.
      for (let entry = 0, at = 0; entry < section.info; entry++) {
        const aux = at + bytes.readUInt32LE(at + 12);
        defined.add(name(bytes.readUInt32LE(aux)));
        at += bytes.readUInt32LE(at + 16);
      }
    }
    return defined;
  });
}

/** Orders `GLIBCXX_3.4.9` before `GLIBCXX_3.4.29`: by prefix, then numerically part by part. */
export function compareVersions(a: string, b: string): number {
  const [prefixA, numbersA] = splitVersion(a);
  const [prefixB, numbersB] = splitVersion(b);
  if (prefixA !== prefixB) return prefixA < prefixB ? -1 : 1;
  for (let i = 0; i < Math.max(numbersA.length, numbersB.length); i++) {
    const difference = (numbersA[i] ?? 0) - (numbersB[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function splitVersion(version: string): [string, number[]] {
  const match = /^(.*?)_?(\d+(?:\.\d+)*)$/.exec(version);
  return match ? [match[1]!, match[2]!.split('.').map(Number)] : [version, []];
}

/** The newest version of `needed` with the given prefix (`GLIBCXX`, `GLIBC`, `CXXABI`). */
export function newestVersion(versions: Iterable<string>, prefix: string): string | undefined {
  let newest: string | undefined;
  for (const version of versions) {
    if (splitVersion(version)[0] !== prefix) continue;
    if (!newest || compareVersions(version, newest) > 0) newest = version;
  }
  return newest;
}
