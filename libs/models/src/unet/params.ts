/**
 * The UNet's parameter list: names, shapes and initial values. Names are the same in
 * checkpoints, the PyTorch reference script and EMA copies, e.g. `enc0/conv1/kernel`.
 *
 * Layouts are tfjs's: conv kernels `[kd, kh, kw, in, out]` (PyTorch: `[out, in, kd, kh, kw]`).
 * Initialisation follows PyTorch's Conv3d default (kaiming_uniform with a = sqrt(5), i.e.
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for kernel and bias); GroupNorm gamma = 1, beta = 0.
 */
import { groupsFor } from '../ops/group-norm.ts';
import { mulberry32, uniformArray } from '../util/rng.ts';
import type { ResolvedUNetOptions } from './options.ts';

export interface ParamSpec {
  name: string;
  shape: number[];
  init: (rand: () => number) => Float32Array;
}

export interface BlockSpec {
  /** Prefix of the block's parameters, e.g. `enc1` or `dec0`. */
  name: string;
  inChannels: number;
  outChannels: number;
  groups: number;
}

function convParams(prefix: string, k: number, cin: number, cout: number): ParamSpec[] {
  const fanIn = cin * k * k * k;
  const bound = 1 / Math.sqrt(fanIn);
  return [
    { name: `${prefix}/kernel`, shape: [k, k, k, cin, cout], init: (r) => uniformArray(k * k * k * cin * cout, bound, r) },
    { name: `${prefix}/bias`, shape: [cout], init: (r) => uniformArray(cout, bound, r) },
  ];
}

function normParams(prefix: string, c: number): ParamSpec[] {
  return [
    { name: `${prefix}/gamma`, shape: [c], init: () => new Float32Array(c).fill(1) },
    { name: `${prefix}/beta`, shape: [c], init: () => new Float32Array(c) },
  ];
}

/** Encoder blocks enc0..enc{L-1} (the last one is the bottleneck) and decoder blocks dec{L-2}..dec0. */
export function blockSpecs(o: ResolvedUNetOptions): { encoder: BlockSpec[]; decoder: BlockSpec[] } {
  const w = o.widths;
  const encoder = w.map((c, i) => ({ name: `enc${i}`, inChannels: i === 0 ? o.inChannels : w[i - 1], outChannels: c, groups: groupsFor(c, o.groups) }));
  const decoder: BlockSpec[] = [];
  // Decoder level i gets the upsampled level i+1 concatenated with the skip of level i.
  for (let i = w.length - 2; i >= 0; i--) {
    // The level below (bottleneck or dec{i+1}) has w[i+1] channels either way.
    decoder.push({ name: `dec${i}`, inChannels: w[i + 1] + w[i], outChannels: w[i], groups: groupsFor(w[i], o.groups) });
  }
  return { encoder, decoder };
}

export function paramSpecs(o: ResolvedUNetOptions): ParamSpec[] {
  const { encoder, decoder } = blockSpecs(o);
  const specs: ParamSpec[] = [];
  for (const b of [...encoder, ...decoder]) {
    specs.push(...convParams(`${b.name}/conv0`, 3, b.inChannels, b.outChannels), ...normParams(`${b.name}/norm0`, b.outChannels));
    specs.push(...convParams(`${b.name}/conv1`, 3, b.outChannels, b.outChannels), ...normParams(`${b.name}/norm1`, b.outChannels));
  }
  specs.push(...convParams('head', 1, o.widths[0], 1));
  return specs;
}

/** Initial values for every parameter, in `paramSpecs` order, from the options' seed. */
export function initialValues(o: ResolvedUNetOptions): Map<string, Float32Array> {
  const rand = mulberry32(o.seed);
  return new Map(paramSpecs(o).map((s) => [s.name, s.init(rand)]));
}
