// Photos are made smaller on the phone before they are queued.
//
// A phone camera's 12 MP JPEG is 3-6 MB: on a weak signal it would block the
// outbox for minutes, and the server keeps at most about 1600 px anyway.
// createImageBitmap applies the EXIF orientation, so the smaller copy stands
// the right way up; drawing it on a canvas also leaves the EXIF data (and the
// GPS position in it) behind.

export const LONG_SIDE_PX = 1600;
export const JPEG_QUALITY = 0.85;

// The size to draw at: the long side at most longSide, never enlarged.
export function fitWithin(width, height, longSide = LONG_SIDE_PX) {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (error) {
    // Older engines reject the options object but still decode.
    return createImageBitmap(file);
  }
}

function canvasOf(width, height) {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function encode(canvas, quality) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: "image/jpeg", quality });
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("encode failed"))), "image/jpeg", quality);
  });
}

// A JPEG Blob of at most longSide px on the long side. A file the browser
// cannot decode (HEIC on most Android phones) is queued as it is: the server
// reads more formats than the phone does.
export async function downscale(file, { longSide = LONG_SIDE_PX, quality = JPEG_QUALITY } = {}) {
  if (typeof createImageBitmap !== "function") return file;
  let bitmap;
  try {
    bitmap = await decode(file);
  } catch (error) {
    return file;
  }
  try {
    const size = fitWithin(bitmap.width, bitmap.height, longSide);
    const canvas = canvasOf(size.width, size.height);
    const context = canvas.getContext("2d");
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, size.width, size.height);
    const blob = await encode(canvas, quality);
    // A small JPEG can grow when re-encoded; keep whichever is smaller.
    return blob.size < file.size || file.type !== "image/jpeg" ? blob : file;
  } finally {
    if (bitmap.close) bitmap.close();
  }
}

// "photo.heic" -> "photo.jpg" when the bytes became a JPEG.
export function filenameFor(file, blob) {
  const name = (file && file.name) || "photo";
  if (blob.type !== "image/jpeg" || blob === file) return name;
  return `${name.replace(/\.[^.]*$/, "")}.jpg`;
}
