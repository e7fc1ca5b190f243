import { parseArgs } from 'node:util';
import { BackendUnavailableError } from '../core/backend';
import { CorpusError, CorpusWriteError } from '../core/corpus/problems';
import { ListingInputError } from '../core/extract/files';
import { ConfigError } from '../core/model/config';
import { ModelFileError } from '../core/model/io';
import { type CommandSpec, closestOption, formatCommandHelp, parseArgsOptions } from './command';
import { convertCommand } from './commands/convert';
import { doctorCommand } from './commands/doctor';
import { evalCommand } from './commands/eval';
import { extractCommand } from './commands/extract';
import { statsCommand } from './commands/stats';
import { tagCommand } from './commands/tag';
import { trainCommand } from './commands/train';
import { CHILD_ENV, runFiltered } from './quiet-stderr';
import { EXIT_FAILURE, EXIT_USAGE, UsageError, UserError } from './usage';

const commands: CommandSpec[] = [
  doctorCommand,
  statsCommand,
  convertCommand,
  trainCommand,
  tagCommand,
  evalCommand,
  extractCommand,
];

/** The package version (package.json, bundled into dist/cli.js). */
export const VERSION: string = (require('../../package.json') as { version: string }).version;

function mainUsage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: spanlight <command> [options]',
    '       spanlight --version',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "run 'spanlight <command> --help' for a command's options and their defaults",
    '',
  ].join('\n');
}

/** node:util's parseArgs errors, in one line of our own words. */
function parseErrorMessage(error: Error & { code?: string }, command: CommandSpec): string {
  const quoted = /'(-{1,2}[^'\s]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const option = quoted ?? '';
      const suggestion = closestOption(option.replace(/^-+/, ''), command.options);
      return `unknown option ${option}${suggestion ? ` (did you mean --${suggestion}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = /--([\w-]+)/.exec(error.message)?.[1];
      const spec = option ? command.options[option] : undefined;
      return spec?.type === 'boolean'
        ? `--${option} takes no value`
        : `--${option ?? '?'} needs a value${spec?.value ? ` (${spec.value})` : ''}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted ?? ''}`.trim();
    default:
      return error.message.replace(/\.$/, '');
  }
}

export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    out.write(`spanlight ${VERSION}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? out : err).write(mainUsage());
    return name ? 0 : EXIT_USAGE;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const known = commands.map((c) => c.name);
    const near = closestOption(name, Object.fromEntries(known.map((k) => [k, { type: 'boolean' as const }])));
    err.write(
      `spanlight: unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}; run 'spanlight --help' for the commands\n`,
    );
    return EXIT_USAGE;
  }
  const hint = `run 'spanlight ${command.name} --help' for its options`;
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      out.write(formatCommandHelp(command));
      return 0;
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: parseArgsOptions(command.options),
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      throw new UsageError(parseErrorMessage(e as Error & { code?: string }, command), command.name);
    }
    return await command.run({ values: parsed.values, positionals: parsed.positionals, out, err });
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`spanlight ${command.name}: ${e.message}; ${hint}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof BackendUnavailableError) {
      err.write(
        `spanlight ${command.name}: ${e.message}. Training needs it; tag, eval and extract run without it (portable backend).\n`,
      );
      return EXIT_FAILURE;
    }
    if (
      e instanceof UserError ||
      e instanceof CorpusError ||
      e instanceof CorpusWriteError ||
      e instanceof ModelFileError ||
      e instanceof ConfigError ||
      e instanceof ListingInputError
    ) {
      err.write(`spanlight ${command.name}: ${e.message}\n`);
      return EXIT_FAILURE;
    }
    err.write(`spanlight ${command.name}: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT_FAILURE;
  }
}

/** Commands that load TensorFlow: they run in a child whose stderr is filtered (quiet-stderr.ts). */
const LOADS_TENSORFLOW = new Set(['train', 'tag', 'eval', 'extract', 'doctor']);

if (require.main === module) {
  // Output piped into `head` and the like: a closed pipe ends the command quietly, as in other CLIs.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const args = process.argv.slice(2);
  const filtered =
    !process.env[CHILD_ENV] &&
    LOADS_TENSORFLOW.has(args[0] ?? '') &&
    !args.includes('--help') &&
    !args.includes('-h');
  (filtered ? runFiltered(__filename, args) : main(args)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
