import { toolProvenance, writeFileAtomic } from '@lesionseg/data';
import { loadPredictor, type Predictor } from '../pipeline/predictor.ts';
import { ONNX_INPUT, ONNX_OUTPUT, unetToOnnx } from './unet-onnx.ts';

export interface ExportOnnxOptions {
  /** true: EMA weights (error when absent); false: raw; omitted: what validation used (as predict). */
  useEma?: boolean;
  log?: (line: string) => void;
}

export interface ExportOnnxResult {
  out: string;
  bytes: number;
  checkpointDir: string;
  weights: 'ema' | 'raw';
  /** The ModelProto metadata_props written (also readable with onnx.load(...).metadata_props). */
  metadata: Record<string, string>;
}

/** What a user of the .onnx file needs besides the graph: layout, preprocessing, threshold, provenance. */
export function onnxMetadata(p: Pick<Predictor, 'checkpointDir' | 'weights' | 'preprocessing' | 'model'>): Record<string, string> {
  const tool = toolProvenance();
  return {
    'lesionseg.version': tool.version,
    'lesionseg.commit': tool.commit,
    'lesionseg.checkpoint': p.checkpointDir,
    'lesionseg.weights': p.weights,
    'lesionseg.unet': JSON.stringify({ widths: p.model.options.widths, groups: p.model.options.groups, inChannels: p.model.options.inChannels }),
    'lesionseg.input': `${ONNX_INPUT}: float32 [batch, 2, depth(z), height(y), width(x)]; channel 0 baseline FLAIR, 1 follow-up FLAIR, each z-scored over its volume after resampling`,
    'lesionseg.output': `${ONNX_OUTPUT}: float32 [batch, 1, depth, height, width]; lesion probability = sigmoid(logits)`,
    'lesionseg.spacing_mm': p.preprocessing.spacingMm === null ? 'native' : String(p.preprocessing.spacingMm),
    'lesionseg.window': String(p.preprocessing.window),
    'lesionseg.stride': String(p.preprocessing.stride),
    'lesionseg.threshold': '0.5',
    'lesionseg.exported_at': new Date().toISOString(),
  };
}

/**
 * Write a checkpoint's UNet as an ONNX model (opset 17, see unet-onnx.ts) that ONNX Runtime, PyTorch
 * users' onnx tooling or C++ runtimes can run. Atomic: written under a temporary name and renamed.
 */
export async function exportOnnx(checkpoint: string, out: string, options: ExportOnnxOptions = {}): Promise<ExportOnnxResult> {
  const predictor = await loadPredictor(checkpoint, { useEma: options.useEma, log: options.log });
  try {
    const weights = await predictor.model.getWeights();
    const metadata = onnxMetadata(predictor);
    const bytes = unetToOnnx(predictor.model.options, weights, {
      producerVersion: metadata['lesionseg.version'],
      docString: `lesionseg 3D UNet for new MS lesions (two FLAIRs in, logits out), from ${predictor.checkpointDir} (${predictor.weights} weights)`,
      metadata,
    });
    await writeFileAtomic(out, bytes);
    return { out, bytes: bytes.length, checkpointDir: predictor.checkpointDir, weights: predictor.weights, metadata };
  } finally {
    predictor.dispose();
  }
}
