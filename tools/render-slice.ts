// Render one axial (or other) slice of one or more NIfTI files side by side into a PNG, with an
// optional mask outlined in red on every panel. For eyeballing data:
//   npx tsx tools/render-slice.ts --out pair.png [--axis z] [--index N] [--mask gt.nii.gz] a.nii.gz b.nii.gz
// Grey levels: each panel is windowed to its own 0.5th-99.5th percentile. --index defaults to
// the slice with the most mask voxels (or the middle slice without a mask).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { readNifti } from '@lesionseg/data';
import type { NiftiImage } from '@lesionseg/data';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    axis: { type: 'string', default: 'z' },
    index: { type: 'string' },
    mask: { type: 'string' },
    scale: { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || !values.out || positionals.length === 0) {
  console.error('usage: npx tsx tools/render-slice.ts --out FILE.png [--axis x|y|z] [--index N] [--mask MASK.nii.gz] [--scale K] IMAGE.nii.gz...');
  process.exit(values.help ? 0 : 2);
}
const axis = { x: 0, y: 1, z: 2 }[values.axis ?? 'z'];
if (axis === undefined) throw new Error(`--axis must be x, y or z, got ${values.axis}`);
const images = await Promise.all(positionals.map((p) => readNifti(p)));
const mask = values.mask ? await readNifti(values.mask) : undefined;
const [X, Y, Z] = images[0].shape;
const dims = [X, Y, Z];
const at = (img: NiftiImage, a: number, b: number, s: number): number => {
  const c = [0, 0, 0];
  const [u, v] = [0, 1, 2].filter((k) => k !== axis);
  c[u] = a;
  c[v] = b;
  c[axis] = s;
  return img.data[c[0] + X * (c[1] + Y * c[2])];
};
let index = values.index !== undefined ? Number(values.index) : Math.floor(dims[axis] / 2);
if (values.index === undefined && mask) {
  let best = -1;
  const [u, v] = [0, 1, 2].filter((k) => k !== axis);
  for (let s = 0; s < dims[axis]; s++) {
    let n = 0;
    for (let b = 0; b < dims[v]; b++) for (let a = 0; a < dims[u]; a++) n += at(mask, a, b, s) > 0.5 ? 1 : 0;
    if (n > best) [best, index] = [n, s];
  }
}
const [u, v] = [0, 1, 2].filter((k) => k !== axis);
const W = dims[u];
const H = dims[v];
const k = Number(values.scale);
const png = { width: images.length * W * k + (images.length - 1) * 4, height: H * k, data: new Uint8Array(0) };
png.data = new Uint8Array(png.width * png.height * 4).fill(255);
images.forEach((img, panel) => {
  const vals = Float32Array.from({ length: W * H }, (_, i) => at(img, i % W, Math.floor(i / W), index)).sort();
  const lo = vals[Math.floor(0.005 * vals.length)];
  const hi = vals[Math.floor(0.995 * vals.length)] || 1;
  for (let b = 0; b < H; b++) {
    for (let a = 0; a < W; a++) {
      let g = Math.round((255 * (at(img, a, b, index) - lo)) / (hi - lo));
      g = Math.max(0, Math.min(255, g));
      const m = mask && at(mask, a, b, index) > 0.5;
      const edge =
        m &&
        [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
        ].some(([da, db]) => {
          const aa = a + da;
          const bb = b + db;
          return aa < 0 || bb < 0 || aa >= W || bb >= H || !(at(mask, aa, bb, index) > 0.5);
        });
      // Image rows go top-down; flip so that anterior/superior is up.
      for (let dy = 0; dy < k; dy++) {
        for (let dx = 0; dx < k; dx++) {
          const px = panel * (W * k + 4) + a * k + dx;
          const py = (H - 1 - b) * k + dy;
          const o = 4 * (py * png.width + px);
          png.data[o] = edge ? 255 : g;
          png.data[o + 1] = edge ? 0 : g;
          png.data[o + 2] = edge ? 0 : g;
          png.data[o + 3] = 255;
        }
      }
    }
  }
});
writeFileSync(values.out, encodePng(png.width, png.height, png.data));
console.error(`wrote ${values.out}: ${values.axis} slice ${index}, ${images.length} panel(s)`);

/** Minimal PNG encoder (8-bit RGBA, no filtering): signature, IHDR, one zlib IDAT, IEND. */
function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const chunk = (type: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, no filter method, no interlace
  const raw = Buffer.alloc((4 * width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(4 * width * y, 4 * width * (y + 1)), (4 * width + 1) * y + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
