/** Training: start a run, show its dashboard, stop it. */
import { CommandId, type CommandIdValue } from '../ids';
import type { TrainRequest } from '../training/controller';
import type { CommandFactory } from './command';

export const trainingCommands = {
  [CommandId.Train]: (ctx) => (request?: TrainRequest) =>
    ctx.training.train(typeof request === 'object' && request !== null ? request : {}),
  [CommandId.ShowTrainingDashboard]: (ctx) => () => ctx.training.showDashboard(),
  [CommandId.StopTraining]: (ctx) => () => ctx.training.stop(),
} satisfies Partial<Record<CommandIdValue, CommandFactory>>;
