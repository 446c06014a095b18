/**
 * Placeholder main job until the training loop lands: selects the compute backend, builds
 * the DI container with the event bus, and reports what it got.
 */
import { parseArgs } from 'node:util';
import { Container } from 'inversify';
import { bindSingleton, createBus, resolve, token, type Bus } from '@lesionseg/events';
import { parseBackendRequest, selectBackend } from '@lesionseg/models';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'auto' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log('Usage: npx nx run trainer:train -- [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu]');
  process.exit(0);
}
const c = new Container();
const Bus = token<Bus>('Bus');
bindSingleton(c, Bus, () => createBus());
resolve(c, Bus).on('error', (e) => console.error(`error: ${e.message}`));
const selection = await selectBackend(parseBackendRequest(values.backend ?? 'auto'));
console.log(JSON.stringify({ backend: selection.name, tfBackend: selection.tfBackend, skipped: selection.skipped }));
