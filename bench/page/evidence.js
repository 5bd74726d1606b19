// Evidence benchmark page (bench/evidence-bench.mjs drives it): blacking out areas of a phone
// screenshot and writing the PNG, by redactScreenshot() (our core in WebAssembly) and by
// Chromium's own canvas encoder (fillRect, then convertToBlob), from the same ImageData.
import { redactScreenshot } from '../report-helper.js';

const [W, H] = [1170, 2532];
// A message thread's worth of areas: a picture in a bubble, and a strip with a name.
const AREAS = [{ x: 140, y: 420, w: 880, h: 660 }, { x: 0, y: 1810, w: 1170, h: 260 }];
let picture = null;

/** A synthetic phone screenshot, the same on every run: panels, bubbles, glyph strokes, avatars. */
window.makeScreenshot = () => {
  const canvas = new OffscreenCanvas(W, H);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'rgb(242,242,247)';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = 'rgb(30,30,36)';
  ctx.fillRect(0, 0, W, 90);
  ctx.fillStyle = 'rgb(0,120,255)';
  for (let y = 300; y < H; y += 600) ctx.fillRect(120, y, W - 180, 300);
  let seed = 2024;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  for (let y = 120; y + 40 < H; y += 48) {
    for (let x = 140; x + 24 < W - 80; x += 26) {
      if (random() < 0.17) continue;
      const grey = [40, 60, 90][Math.floor(random() * 3)];
      ctx.fillStyle = `rgb(${grey},${grey},${grey})`;
      for (let s = 0; s < 3; s++) ctx.fillRect(x + Math.floor(random() * 18), y + Math.floor(random() * 28), 2 + Math.floor(random() * 6), 2 + Math.floor(random() * 10));
    }
  }
  for (let cy = 240; cy < H; cy += 600) {
    const g = ctx.createRadialGradient(60, cy, 2, 60, cy, 40);
    g.addColorStop(0, 'rgb(0,80,255)');
    g.addColorStop(1, 'rgb(255,80,0)');
    ctx.fillStyle = g;
    ctx.beginPath();
    ctx.arc(60, cy, 40, 0, 2 * Math.PI);
    ctx.fill();
  }
  picture = ctx.getImageData(0, 0, W, H);
  return { width: W, height: H };
};

/** `runs` timed calls of ours: ImageData in, PNG bytes out. */
window.ours = async (runs) => {
  const times = [];
  let png;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    png = await redactScreenshot(picture, AREAS);
    times.push(performance.now() - start);
  }
  window.oursPng = png;
  return { times, size: png.length };
};

/** `runs` timed calls of Chromium's: the same ImageData drawn, the areas filled, a PNG blob. */
window.chromium = async (runs) => {
  const times = [];
  let blob;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const canvas = new OffscreenCanvas(W, H);
    const ctx = canvas.getContext('2d');
    ctx.putImageData(picture, 0, 0);
    ctx.fillStyle = '#000';
    for (const a of AREAS) ctx.fillRect(a.x, a.y, a.w, a.h);
    blob = await canvas.convertToBlob({ type: 'image/png' });
    times.push(performance.now() - start);
  }
  window.chromiumPng = blob;
  return { times, size: blob.size };
};

/** Whether both PNGs decode (by the browser) to the same pixels. */
window.samePixels = async () => {
  const decode = async (blob) => {
    const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  };
  const [a, b] = [await decode(new Blob([window.oursPng])), await decode(window.chromiumPng)];
  return a.length === b.length && a.every((v, i) => v === b[i]);
};
