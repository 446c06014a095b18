/** Options of the 3D UNet. The defaults are the paper's network (Schmidt-Mengin et al. 2022). */
export interface UNetOptions {
  /** Filters per level, top to bottom. Paper: [16, 32, 64] (two poolings). */
  widths?: readonly number[];
  /** GroupNorm groups per layer; a layer with fewer channels uses the largest divisor not above it. Paper/default: 8. */
  groups?: number;
  /** Input channels: 2 (baseline, follow-up). */
  inChannels?: number;
  /** Seed of the weight initialisation. */
  seed?: number;
}

export interface ResolvedUNetOptions {
  widths: number[];
  groups: number;
  inChannels: number;
  seed: number;
}

export const PAPER_UNET: ResolvedUNetOptions = { widths: [16, 32, 64], groups: 8, inChannels: 2, seed: 0 };

export function resolveUNetOptions(options: UNetOptions = {}): ResolvedUNetOptions {
  const widths = [...(options.widths ?? PAPER_UNET.widths)];
  const groups = options.groups ?? PAPER_UNET.groups;
  const inChannels = options.inChannels ?? PAPER_UNET.inChannels;
  const seed = options.seed ?? PAPER_UNET.seed;
  if (widths.length < 1 || widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new Error(`UNet option "widths" must be a non-empty list of positive integers, got ${JSON.stringify(options.widths)}`);
  }
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`UNet option "groups" must be a positive integer, got ${groups}`);
  if (!Number.isInteger(inChannels) || inChannels < 1) throw new Error(`UNet option "inChannels" must be a positive integer, got ${inChannels}`);
  return { widths, groups, inChannels, seed };
}

/** Patch sides must be divisible by 2^(levels-1) so that pooling and upsampling line up. */
export function checkPatchShape(shape: readonly number[], widths: readonly number[]): void {
  const m = 2 ** (widths.length - 1);
  if (shape.some((s) => s % m !== 0)) {
    throw new Error(`UNet with ${widths.length} levels needs patch sides divisible by ${m}, got ${shape.join('x')}`);
  }
}
