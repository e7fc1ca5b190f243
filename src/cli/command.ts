import type { ParseArgsConfig } from 'node:util';

/** One option of a command: how it parses, and what `--help` says about it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in the help (`N`, `FILE`…); string options only. */
  value?: string;
  /** What the option means. */
  help?: string;
  /** The default, as the help states it. */
  defaultText?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface CommandContext {
  values: { [option: string]: string | boolean | (string | boolean)[] | undefined };
  positionals: string[];
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** One `spanlight <name>` subcommand. `run` returns the exit code. */
export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpecs;
  run(ctx: CommandContext): Promise<number>;
}

/** The options as node:util's parseArgs takes them. */
export function parseArgsOptions(options: OptionSpecs): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
}

/** Wraps `text` to lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** `spanlight <command> --help`: usage, summary, and every option with its meaning and default. */
export function formatCommandHelp(command: CommandSpec, width = 100): string {
  const names = Object.entries(command.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}`;
    return o.type === 'string' ? `${flag} ${o.value ?? 'VALUE'}${o.multiple ? '…' : ''}` : flag;
  });
  const column = Math.min(30, Math.max(...names.map((n) => n.length)) + 2);
  const lines = [`usage: ${command.usage}`, '', command.summary, '', 'options:'];
  Object.values(command.options).forEach((o, i) => {
    const text = [o.help ?? '', o.defaultText ? `(default: ${o.defaultText})` : ''].filter(Boolean).join(' ');
    const wrapped = wrap(text, width - column - 2);
    const name = names[i]!;
    if (name.length + 2 > column) lines.push(`  ${name}`);
    else lines.push(`  ${name.padEnd(column)}${wrapped.shift() ?? ''}`);
    for (const more of wrapped) lines.push(`  ${''.padEnd(column)}${more}`);
  });
  lines.push(`  ${'-h, --help'.padEnd(column)}show this help`);
  return `${lines.join('\n')}\n`;
}

/**
 * The closest option name to a mistyped one (Levenshtein distance at most 2, or a prefix), for
 * "did you mean".
 */
export function closestOption(name: string, options: OptionSpecs): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length]!;
  };
  let best: { name: string; score: number } | undefined;
  for (const candidate of Object.keys(options)) {
    const score = candidate.startsWith(name) ? 0.5 : distance(name, candidate);
    if (score <= 2 && (!best || score < best.score)) best = { name: candidate, score };
  }
  return best?.name;
}
