import type { ParseArgsConfig } from 'node:util';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

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
