import type { Bus } from '@lesionseg/events';

/**
 * An observer of the bus. Loggers never steer training: the bus isolates them, so one that
 * throws is reported as a non-fatal `error` event and training goes on.
 */
export interface Logger {
  readonly name: string;
  attach(bus: Bus): void;
  /** Flush and release resources at the end of the run. */
  close?(): void;
}
