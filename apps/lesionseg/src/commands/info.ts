/** `lesionseg info`: versions, which compute backends load here, the GPU adapter, and paths. */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '@lesionseg/cli';
import { toolProvenance } from '@lesionseg/data';

export interface InfoReport {
  lesionseg: { version: string; commit: string };
  node: string;
  tfjs: string;
  backends: { name: string; ok: boolean; reason?: string }[];
  webgpuAdapter: string | null;
  paths: { repository: string; userFolder: string; defaultData: string; runs: string };
}

const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Tries each backend by name (never `auto`), in a fresh tfjs state per try (tfjs keeps one active backend). */
export async function gatherInfo(cwd: string): Promise<InfoReport> {
  const models = await import('@lesionseg/models');
  const loaders = models.defaultLoaders({ log: () => {} });
  const backends: InfoReport['backends'] = [];
  for (const l of loaders) {
    try {
      await l.load({ auto: false });
      backends.push({ name: l.name, ok: true });
    } catch (e) {
      backends.push({ name: l.name, ok: false, reason: (e instanceof Error ? e.message : String(e)).split('\n')[0] });
    }
  }
  const gpu = backends.find((b) => b.name === 'webgpu')?.ok ? await models.webgpuAvailability() : null;
  await models.releaseWebgpu();
  const require = createRequire(import.meta.url);
  const tool = toolProvenance();
  return {
    lesionseg: { version: tool.version, commit: tool.commit },
    node: process.version,
    tfjs: (require('@tensorflow/tfjs-core/package.json') as { version: string }).version,
    backends,
    webgpuAdapter:
      gpu === null ? null : gpu.ok ? `${gpu.adapter.description || gpu.adapter.device} (${gpu.adapter.software ? 'software' : 'hardware'})` : gpu.reason,
    paths: { repository, userFolder: cwd, defaultData: path.join(repository, 'data', 'phantoms'), runs: path.join(repository, 'runs') },
  };
}

export const infoCommand: Command = {
  name: 'info',
  nxTarget: 'lesionseg:info',
  summary: 'versions, the compute backends that load here, the GPU adapter, and paths',
  options: { json: { type: 'boolean', description: 'print the report as JSON on stdout' } },
  async run({ values, cwd }) {
    const r = await gatherInfo(cwd);
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return;
    }
    const lines = [
      `lesionseg ${r.lesionseg.version} (commit ${r.lesionseg.commit}), node ${r.node}, tfjs ${r.tfjs}`,
      'backends:',
      ...r.backends.map((b) => `  ${b.name.padEnd(16)}${b.ok ? 'loads' : `no: ${b.reason}`}`),
      `webgpu adapter: ${r.webgpuAdapter ?? 'none'}`,
      `repository: ${r.paths.repository}`,
      `your folder: ${r.paths.userFolder} (relative paths are resolved against it)`,
      `default data: ${r.paths.defaultData}; runs: ${r.paths.runs}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
