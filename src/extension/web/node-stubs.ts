/**
 * What the web bundle gets for Node's built-in modules (scripts/build.mjs maps them here): a
 * POSIX `path` that works, and for everything else a module whose functions say that they are
 * not available. Modules shared with the Node entry import them; on the web no code path calls
 * them (files go through `workspace.fs`, models run in this worker), and a call that would is a
 * bug that this message names.
 */

const normalizeParts = (parts: string[], absolute: boolean): string[] => {
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  return out;
};

const normalize = (p: string): string => {
  const absolute = p.startsWith('/');
  let joined = normalizeParts(p.split('/'), absolute).join('/');
  if (!joined && !absolute) joined = '.';
  if (joined && p.endsWith('/')) joined += '/';
  return absolute ? `/${joined}` : joined;
};

export const posixPath = {
  sep: '/',
  delimiter: ':',
  normalize,
  isAbsolute: (p: string) => p.startsWith('/'),
  join: (...parts: string[]) => normalize(parts.filter(Boolean).join('/')),
  resolve: (...parts: string[]) => {
    let resolved = '';
    for (let i = parts.length - 1; i >= 0 && !resolved.startsWith('/'); i--) {
      if (parts[i]) resolved = resolved ? `${parts[i]}/${resolved}` : parts[i]!;
    }
    const normalized = normalize(resolved.startsWith('/') ? resolved : `/${resolved}`);
    return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
  },
  // As Node's: no normalizing, trailing slashes ignored.
  dirname: (p: string) => {
    const trimmed = p.length > 1 ? p.replace(/\/+$/, '') || '/' : p;
    const at = trimmed.lastIndexOf('/');
    return at > 0 ? trimmed.slice(0, at).replace(/\/+$/, '') || '/' : at === 0 ? '/' : '.';
  },
  basename: (p: string, ext?: string) => {
    const base = p.replace(/\/+$/, '').split('/').pop() ?? '';
    return ext && base !== ext && base.endsWith(ext) ? base.slice(0, -ext.length) : base;
  },
  extname: (p: string) => {
    const base = posixPath.basename(p);
    const at = base.lastIndexOf('.');
    return at > 0 && base !== '..' ? base.slice(at) : '';
  },
  relative: (from: string, to: string) => {
    const a = normalizeParts(posixPath.resolve(from).split('/'), true);
    const b = normalizeParts(posixPath.resolve(to).split('/'), true);
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    return [...a.slice(common).map(() => '..'), ...b.slice(common)].join('/');
  },
};

/** A module whose every function throws "not available in VS Code for the Web". */
export function unavailableModule(name: string): unknown {
  const fail = () => {
    throw new Error(`Node's ${name} module is not available in VS Code for the Web`);
  };
  const module: unknown = new Proxy(fail, {
    get: (_, key) =>
      key === 'default' ? module : key === '__esModule' ? false : key === 'constants' ? {} : module,
    apply: fail,
    construct: fail,
  });
  return module;
}
