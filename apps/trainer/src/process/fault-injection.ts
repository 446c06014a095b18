import type { Runtime } from '../runtime.ts';

/**
 * Fault injection for the interruption tests (tools/fault, apps/trainer/test): with
 * LESIONSEG_FAULT_STEP_MS=N every training step first blocks the thread for N ms, as a big
 * model's synchronous tensor work does, so that a signal arrives while JavaScript cannot run.
 */
export function slowStepsFromEnv(runtime: Runtime, env: NodeJS.ProcessEnv): Runtime {
  const ms = Number(env['LESIONSEG_FAULT_STEP_MS'] ?? 0);
  if (!(ms > 0)) return runtime;
  const inner = runtime.trainable;
  return {
    ...runtime,
    trainable: {
      trainStep(batch, lr) {
        const until = Date.now() + ms;
        while (Date.now() < until); // busy: signals wait until the step returns
        return inner.trainStep(batch, lr);
      },
    },
  };
}
