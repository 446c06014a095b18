import { loadPluginModules, registerPlugins } from '@lesionseg/config';
import { userCwd } from '../cli/paths.ts';
import { builtinRegistries } from './registries.ts';
import { configJsonSchema } from './schema.ts';

/** `--print-schema [--plugin FILE ...]`: the config's JSON Schema with the plugins' types, as text. */
export async function printSchema(pluginFiles: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const registries = builtinRegistries();
  registerPlugins(await loadPluginModules(pluginFiles, userCwd(env)), registries);
  return JSON.stringify(configJsonSchema(registries), null, 2);
}
