/**
 * A model card beside the weights of every checkpoint the trainer saves: `metadata.json`
 * (machine-readable, in the spirit of a MONAI bundle's configs/metadata.json: network_data_format
 * with inputs and outputs, preprocessing, training data, validation metrics) and `model-card.md`
 * (the same for people). Written into the checkpoint's temporary folder, so it is committed
 * atomically with the weights it describes.
 */
import { join } from 'node:path';
import { relativeToFolder, toolProvenance } from '@lesionseg/data';
import type { ResolvedUNetOptions } from '../unet/options.ts';
import { writeFileSynced } from './weights-file.ts';

export const MODEL_CARD_SCHEMA = 'lesionseg-model-card-v1';

/** What the trainer knows about a checkpoint besides its weights. */
export interface ModelCardInfo {
  /** Preset or config name. */
  name: string;
  /** 'best' (the best validation Dice so far) or 'latest'. */
  kind: string;
  preprocessing: { spacingMm: number | null; patchSize: number; stride: number | null };
  /** Lesion where sigmoid(logit) >= threshold (validation's threshold). */
  threshold: number;
  training: {
    /** The training dataset folder; stored relative to the checkpoint folder. */
    data: string;
    trainPatients: readonly string[];
    validationPatients: readonly string[];
    strategy: string;
    iteration: number;
    trainingSeconds: number;
    seed: number;
  };
  validation: {
    /** Weights validation scores (and predict uses by default). */
    model: 'ema' | 'raw' | null;
    /** Best mean validation Dice of the run so far: the Dice of these very weights when kind is 'best'. */
    bestDice: number | null;
    /** Iteration of the last validation before this save. */
    lastIteration: number;
  };
}

/** The machine-readable card (metadata.json). */
export function modelCardMetadata(card: ModelCardInfo, unet: ResolvedUNetOptions, hasEma: boolean, savedAt: string): Record<string, unknown> {
  const tool = toolProvenance();
  const side = card.preprocessing.patchSize;
  return {
    schema: MODEL_CARD_SCHEMA,
    name: card.name,
    checkpoint: card.kind,
    savedAt,
    task: 'Segmentation of new multiple-sclerosis lesions from two longitudinal FLAIR MRIs (MSSEG-2)',
    producer: { ...tool, backend_independent_weights: true },
    network: { type: 'unet3d', ...unet, weights: hasEma ? ['raw', 'ema'] : ['raw'], layout: 'NDHWC [batch, z, y, x, channel]' },
    network_data_format: {
      inputs: {
        image: {
          type: 'image',
          modality: 'MR (FLAIR)',
          num_channels: unet.inChannels,
          channel_def: { 0: 'baseline FLAIR (time 01)', 1: 'follow-up FLAIR (time 02), on the same grid' },
          spatial_shape: [side, side, side],
          is_patch_data: true,
          dtype: 'float32',
          spacing_mm: card.preprocessing.spacingMm ?? 'native (the input grid)',
          normalisation: 'each FLAIR resampled (trilinear) to spacing_mm, then z-scored over its whole volume (mean 0, std 1)',
        },
      },
      outputs: {
        pred: {
          type: 'image',
          format: 'segmentation',
          num_channels: 1,
          channel_def: { 0: 'new-lesion logit' },
          activation: 'sigmoid',
          threshold: card.threshold,
          dtype: 'float32',
        },
      },
    },
    inference: {
      sliding_window: { window: side, stride: card.preprocessing.stride ?? Math.max(1, Math.round(side * 0.75)), blending: 'average' },
      back_to_input_grid: 'probabilities resampled trilinearly to the input voxel centres, then thresholded',
      default_weights: card.validation.model === 'raw' || !hasEma ? 'raw' : 'ema',
    },
    training: { ...card.training, nTrain: card.training.trainPatients.length, nValidation: card.training.validationPatients.length },
    eval_metrics: {
      mean_dice_validation: card.validation.bestDice,
      scope: card.kind === 'best' ? 'these weights' : 'the run\u2019s best checkpoint (checkpoints/best), not necessarily these weights',
    },
    validation: card.validation,
  };
}

const fmt = (v: unknown): string => (v === null || v === undefined ? 'n/a' : typeof v === 'number' ? String(Math.round(v * 10000) / 10000) : String(v));

/** The card for people (model-card.md). */
export function modelCardMarkdown(m: Record<string, unknown>): string {
  const md = m as {
    name: string;
    checkpoint: string;
    savedAt: string;
    task: string;
    producer: { version: string; commit: string };
    network: { widths: number[]; groups: number; inChannels: number; weights: string[] };
    network_data_format: {
      inputs: { image: { spacing_mm: unknown; normalisation: string; spatial_shape: number[] } };
      outputs: { pred: { threshold: number } };
    };
    inference: { sliding_window: { window: number; stride: number }; default_weights: string };
    training: {
      data: string;
      nTrain: number;
      nValidation: number;
      strategy: string;
      iteration: number;
      trainingSeconds: number;
      seed: number;
      validationPatients: string[];
    };
    eval_metrics: { mean_dice_validation: number | null; scope: string };
  };
  return [
    `# Model card: ${md.name} (checkpoints/${md.checkpoint})`,
    '',
    md.task + '.',
    '',
    '| | |',
    '| --- | --- |',
    `| network | 3D UNet, widths ${md.network.widths.join('/')}, GroupNorm ${md.network.groups} groups, ${md.network.inChannels} input channels; weights: ${md.network.weights.join(', ')} |`,
    `| inputs | channel 0 baseline FLAIR, channel 1 follow-up FLAIR on the same grid |`,
    `| spacing | ${typeof md.network_data_format.inputs.image.spacing_mm === 'number' ? `${md.network_data_format.inputs.image.spacing_mm} mm` : fmt(md.network_data_format.inputs.image.spacing_mm)} |`,
    `| normalisation | ${md.network_data_format.inputs.image.normalisation} |`,
    `| inference | sliding windows ${md.inference.sliding_window.window}^3, stride ${md.inference.sliding_window.stride}, averaged; ${md.inference.default_weights} weights by default |`,
    `| threshold | lesion where sigmoid(logit) >= ${md.network_data_format.outputs.pred.threshold} |`,
    `| training data | ${md.training.data}: ${md.training.nTrain} training, ${md.training.nValidation} validation patients (seed ${md.training.seed}) |`,
    `| training | ${md.training.strategy}, ${md.training.iteration} iterations, ${fmt(md.training.trainingSeconds)} s |`,
    `| validation Dice | ${fmt(md.eval_metrics.mean_dice_validation)} (mean over ${md.training.validationPatients.join(', ') || 'no patient'}; ${md.eval_metrics.scope}) |`,
    `| produced by | lesionseg ${md.producer.version}, commit ${md.producer.commit}, saved ${md.savedAt} |`,
    '',
    'Use: `npx nx run evaluator:predict -- --checkpoint <this folder> --flair1 T1.nii.gz --flair2 T2.nii.gz --out SEG.nii.gz`;',
    'ONNX: `npx nx run evaluator:export -- --checkpoint <this folder> --out model.onnx`. Machine-readable: metadata.json.',
    '',
    'Limitations: validated only on the patients above; the Dice is the mean over validation patients with new lesions',
    '(patients without any are not in it); a model trained on synthetic phantoms says nothing about real scans.',
    '',
  ].join('\n');
}

/** Write metadata.json and model-card.md into `dir` (synced, so the checkpoint's rename exposes complete files). */
export async function writeModelCard(dir: string, card: ModelCardInfo, unet: ResolvedUNetOptions, hasEma: boolean, savedAt: string): Promise<void> {
  // The training data's path relative to the checkpoint (dir is a sibling of the final folder,
  // so the same relative path holds there): the run folder can move together with its data.
  const meta = modelCardMetadata({ ...card, training: { ...card.training, data: relativeToFolder(dir, card.training.data) } }, unet, hasEma, savedAt);
  await writeFileSynced(join(dir, 'metadata.json'), `${JSON.stringify(meta, null, 2)}\n`);
  await writeFileSynced(join(dir, 'model-card.md'), modelCardMarkdown(meta));
}
