import mitt, { type Emitter, type EventType, type Handler, type WildcardHandler } from 'mitt';
import type { ErrorEvent, LesionsegEvents } from './event-map.ts';

/**
 * A mitt bus whose observers are isolated: a handler that throws, or returns a promise that
 * rejects, is reported through `onObserverError` (by default as an `error` event on the same
 * bus) and never stops `emit()` or the other observers. mitt itself would propagate a
 * synchronous throw out of `emit()` and skip the remaining handlers, and would turn a
 * rejection into an unhandled rejection that kills the process.
 */
export type Bus<E extends Record<EventType, unknown> = LesionsegEvents> = Pick<Emitter<E>, 'emit' | 'all'> & {
  on<K extends keyof E>(type: K, handler: Handler<E[K]>): void;
  on(type: '*', handler: WildcardHandler<E>): void;
  off<K extends keyof E>(type: K, handler?: Handler<E[K]>): void;
  off(type: '*', handler: WildcardHandler<E>): void;
};

export interface ObserverFailure {
  /** The event whose observer failed. */
  event: string;
  /** The payload the observer was given. */
  payload: unknown;
  error: unknown;
}

export interface BusOptions {
  /** Called for every failing observer. Default: emit an `error` event (non-fatal). */
  onObserverError?: (failure: ObserverFailure) => void;
}

type AnyHandler = (...args: unknown[]) => unknown;

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function createBus<E extends Record<EventType, unknown> = LesionsegEvents>(options: BusOptions = {}): Bus<E> {
  const inner = mitt<E>();
  // Original handler -> isolated wrapper, per event, so that off(type, original) works.
  const wrappers = new Map<keyof E | '*', Map<AnyHandler, AnyHandler>>();

  const report = (failure: ObserverFailure): void => {
    try {
      if (options.onObserverError) options.onObserverError(failure);
      else defaultReport(failure);
    } catch (reportError) {
      // The reporter itself failed: the last resort is stderr, never the emitter.
      console.error(`lesionseg: observer error reporter failed: ${describeError(reportError)}`);
    }
  };

  const defaultReport = (failure: ObserverFailure): void => {
    if (failure.event === 'error') {
      // An `error` observer failed: re-emitting would recurse.
      console.error(`lesionseg: an 'error' observer failed: ${describeError(failure.error)}`);
      return;
    }
    const p = (failure.payload ?? {}) as Partial<ErrorEvent>;
    const payload: ErrorEvent = {
      iteration: typeof p.iteration === 'number' ? p.iteration : -1,
      elapsedMs: typeof p.elapsedMs === 'number' ? p.elapsedMs : -1,
      source: `observer:${failure.event}`,
      message: `observer of '${failure.event}' failed: ${describeError(failure.error)}`,
      error: failure.error,
      fatal: false,
    };
    (inner.emit as (type: string, event: unknown) => void)('error', payload);
  };

  const isolate = (event: keyof E | '*', handler: AnyHandler): AnyHandler => {
    return (...args: unknown[]) => {
      // For '*' handlers mitt passes (type, payload); for typed ones (payload).
      const name = event === '*' ? String(args[0]) : String(event);
      const payload = event === '*' ? args[1] : args[0];
      try {
        const result = handler(...args);
        if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
          (result as Promise<unknown>).then(undefined, (error: unknown) => report({ event: name, payload, error }));
        }
      } catch (error) {
        report({ event: name, payload, error });
      }
    };
  };

  const on = (type: keyof E | '*', handler: AnyHandler): void => {
    let forType = wrappers.get(type);
    if (!forType) wrappers.set(type, (forType = new Map()));
    const wrapped = isolate(type, handler);
    forType.set(handler, wrapped);
    (inner.on as (t: unknown, h: AnyHandler) => void)(type, wrapped);
  };

  const off = (type: keyof E | '*', handler?: AnyHandler): void => {
    const forType = wrappers.get(type);
    if (!handler) {
      wrappers.delete(type);
      (inner.off as (t: unknown) => void)(type);
      return;
    }
    const wrapped = forType?.get(handler);
    if (!forType || !wrapped) return;
    forType.delete(handler);
    (inner.off as (t: unknown, h: AnyHandler) => void)(type, wrapped);
  };

  return { all: inner.all, emit: inner.emit, on, off } as Bus<E>;
}
