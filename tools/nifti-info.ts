// Print one JSON object describing a NIfTI file, statistics over the *scaled* voxel values:
//   npx tsx tools/nifti-info.ts FILE
// {"shape":[x,y,z],"spacing":[sx,sy,sz],"affine":[[...4x4]],"datatype":"int16","min":..,"max":..,"sum":..,"mean":..}
import { readNifti, NiftiError } from '@lesionseg/data';

const args = process.argv.slice(2);
if (args.length !== 1 || args[0] === '--help' || args[0] === '-h') {
  console.error('usage: npx tsx tools/nifti-info.ts FILE.nii[.gz]\nPrints shape, spacing, affine, datatype and min/max/sum/mean of the scaled values as JSON.');
  process.exit(args.length === 1 ? 0 : 2);
}
try {
  const img = await readNifti(args[0]);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0; // float64 accumulation over float32 values
  for (const v of img.data) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const info = {
    shape: img.shape,
    spacing: img.spacing,
    affine: img.affine,
    datatype: img.datatype,
    min,
    max,
    sum,
    mean: sum / img.data.length,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
} catch (e) {
  console.error(e instanceof NiftiError ? e.message : String(e));
  process.exit(1);
}
