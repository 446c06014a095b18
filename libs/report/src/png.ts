/** Encode and decode RGBA images as PNG (pngjs, pure JS). */
import { PNG } from 'pngjs';

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, row-major from the top-left, 4 bytes per pixel. */
  data: Uint8Array;
}

export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png);
}

export function decodePng(bytes: Buffer): RgbaImage {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}
