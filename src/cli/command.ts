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
