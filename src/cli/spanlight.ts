import { parseArgs } from 'node:util';
import { CorpusError } from '../core/corpus/problems';
import { ListingInputError } from '../core/extract/files';
import { ConfigError } from '../core/model/config';
import { ModelFileError } from '../core/model/io';
import { type CommandSpec, parseArgsOptions } from './command';
import { convertCommand } from './commands/convert';
import { doctorCommand } from './commands/doctor';
import { evalCommand } from './commands/eval';
import { extractCommand } from './commands/extract';
import { statsCommand } from './commands/stats';
import { tagCommand } from './commands/tag';
import { trainCommand } from './commands/train';
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

function mainUsage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: spanlight <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "run 'spanlight <command> --help' for a command's options",
    '',
  ].join('\n');
}

export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? out : err).write(mainUsage());
    return name ? 0 : EXIT_USAGE;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    err.write(`spanlight: unknown command '${name}'\n\n${mainUsage()}`);
    return EXIT_USAGE;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      out.write(`usage: ${command.usage}\n\n${command.summary}\n`);
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
      throw new UsageError((e as Error).message, command.name);
    }
    return await command.run({ values: parsed.values, positionals: parsed.positionals, out, err });
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`spanlight ${command.name}: ${e.message}\nusage: ${command.usage}\n`);
      return EXIT_USAGE;
    }
    if (
      e instanceof UserError ||
      e instanceof CorpusError ||
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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
