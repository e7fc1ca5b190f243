/**
 * Whether this Linux can load the native TensorFlow binding: the symbol versions the binding and
 * the two TensorFlow libraries need from the system's C and C++ runtimes (glibc, libstdc++),
 * checked against what those runtimes define, BEFORE the binding is loaded. The loader's own
 * error names only the first missing version of one library; this names every one, and says
 * which systems are new enough.
 */
import fs from 'node:fs';
import path from 'node:path';
import { definedVersions, neededVersions, newestVersion } from './elf';

/** What the shipped libraries need, as a reader can check it against their system (README). */
export const NATIVE_REQUIREMENT =
  'glibc 2.27 and libstdc++ with GLIBCXX_3.4.22 (GCC 7) or newer: Ubuntu 18.04, Debian 10, RHEL/Rocky 8, Fedora 28 or later';

/** Libraries that come with the system, not with Spanlight; only their versions can be missing. */
const SYSTEM_LIBRARIES = [
  'libc.so.6',
  'libm.so.6',
  'libstdc++.so.6',
  'libgcc_s.so.1',
  'libpthread.so.0',
  'libdl.so.2',
  'librt.so.1',
];

export interface MissingVersion {
  /** The system library that lacks it, as found on this system. */
  library: string;
  version: string;
  /** The shipped file that needs it. */
  neededBy: string;
}

/** Where the dynamic loader would find `soname`: a copy this process has mapped, else the usual dirs. */
export function findSystemLibrary(soname: string): string | undefined {
  try {
    for (const line of fs.readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const file = line.slice(line.indexOf('/'));
      if (line.includes('/') && path.basename(file) === soname) return file;
    }
  } catch {
    // Not Linux, or /proc is not mounted: search the directories below.
  }
  const multiarch = `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    `/lib/${multiarch}`,
    `/usr/lib/${multiarch}`,
    '/lib64',
    '/usr/lib64',
    '/lib',
    '/usr/lib',
  ];
  return dirs.map((dir) => path.join(dir, soname)).find((file) => fs.existsSync(file));
}

/**
 * The symbol versions `files` need from the system's libraries that those libraries lack. Empty
 * when everything is there, or when a system library cannot be found or read (the loader then
 * has the last word).
 */
export function missingSystemVersions(
  files: readonly string[],
  find: (soname: string) => string | undefined = findSystemLibrary,
): MissingVersion[] {
  const missing: MissingVersion[] = [];
  const systemLibraries = new Map<string, { file: string; defined: Set<string> } | undefined>();
  const systemLibrary = (soname: string) => {
    if (!systemLibraries.has(soname)) {
      const file = find(soname);
      let found: { file: string; defined: Set<string> } | undefined;
      try {
        found = file ? { file, defined: definedVersions(file) } : undefined;
      } catch {
        found = undefined;
      }
      systemLibraries.set(soname, found);
    }
    return systemLibraries.get(soname);
  };
  for (const file of files) {
    for (const [soname, versions] of neededVersions(file)) {
      const library = SYSTEM_LIBRARIES.includes(soname) ? systemLibrary(soname) : undefined;
      if (!library) continue;
      for (const version of versions) {
        if (!library.defined.has(version))
          missing.push({ library: library.file, version, neededBy: path.basename(file) });
      }
    }
  }
  return missing;
}

/** One sentence for a user: the newest missing version per library, and what is needed. */
export function describeMissingVersions(missing: readonly MissingVersion[]): string {
  const byLibrary = new Map<string, string[]>();
  for (const m of missing) byLibrary.set(m.library, [...(byLibrary.get(m.library) ?? []), m.version]);
  const parts = [...byLibrary].map(([library, versions]) => {
    const prefix = versions[0]!.replace(/_?\d.*$/, '');
    return `${path.basename(library)} lacks ${newestVersion(versions, prefix) ?? versions[0]} (${library})`;
  });
  return `this Linux is too old for native TensorFlow: ${parts.join('; ')}. It needs ${NATIVE_REQUIREMENT}`;
}
