import { describeBackend } from '../../core/backend';
import type { CommandSpec } from '../command';

export const doctorCommand: CommandSpec = {
  name: 'doctor',
  summary: 'check the native TensorFlow backend: version, binding, threads, a matmul timing',
  usage: 'spanlight doctor [--json]',
  options: { json: { type: 'boolean', help: 'print the report as JSON' } },
  async run({ values, out }) {
    const info = await describeBackend();
    if (values.json) {
      out.write(`${JSON.stringify(info, null, 2)}\n`);
    } else {
      out.write(
        [
          `backend:            ${info.backend}`,
          `TensorFlow:         ${info.tensorflowVersion}`,
          `tfjs:               ${info.tfjsVersion}`,
          `binding:            ${info.bindingPath}`,
          `cores:              ${info.cores}`,
          `intra-op threads:   ${info.intraOpThreads}`,
          `inter-op threads:   ${info.interOpThreads}`,
          `matmul 256×256:     ${info.matmulMs.toFixed(3)} ms (${info.matmulCorrect ? 'correct' : 'WRONG RESULT'})`,
          '',
        ].join('\n'),
      );
    }
    return info.backend === 'tensorflow' && info.matmulCorrect ? 0 : 1;
  },
};
