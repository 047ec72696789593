// QR decoding, inside the extension: jsQR (from npm, bundled) reads pixels; nothing leaves the
// browser. `decodeRgba` is pure; the rest turns an <img>, <canvas> or inline <svg> into pixels.

import jsQR from "jsqr";

/** The text of the QR code in RGBA pixels, or null. */
export function decodeRgba(data: Uint8ClampedArray, width: number, height: number): string | null {
  if (width <= 0 || height <= 0 || data.length < width * height * 4) return null;
  const found = jsQR(data, width, height, { inversionAttempts: "attemptBoth" });
  return found === null || found.data === "" ? null : found.data;
}

/** Elements smaller than this (CSS pixels, either side) are not looked at. */
export const MIN_QR_SIZE = 48;
/** Pixels are decoded at most this large (either side). */
const MAX_DECODE_SIZE = 1024;
/** Small codes are drawn at least this large, without smoothing. */
const MIN_DECODE_SIZE = 240;
/** White margin added around the drawing: a page's QR may lack its quiet zone. */
const MARGIN = 16;

/** Whether an element's box could hold a QR code: big enough and roughly square. */
export function plausibleQrBox(width: number, height: number): boolean {
  if (width < MIN_QR_SIZE || height < MIN_QR_SIZE) return false;
  const ratio = width / height;
  return ratio > 0.66 && ratio < 1.5;
}

/** The drawing size for a source of `w`×`h`: scaled into [MIN_DECODE_SIZE, MAX_DECODE_SIZE]. */
export function decodeSize(w: number, h: number): { width: number; height: number } {
  const longest = Math.max(w, h);
  let scale = 1;
  if (longest > MAX_DECODE_SIZE) scale = MAX_DECODE_SIZE / longest;
  else if (longest < MIN_DECODE_SIZE) scale = MIN_DECODE_SIZE / longest;
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

function whiteCanvas(width: number, height: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } | null {
  const canvas = document.createElement("canvas");
  canvas.width = width + 2 * MARGIN;
  canvas.height = height + 2 * MARGIN;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (ctx === null) return null;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  return { canvas, ctx };
}

/** Decodes what was drawn; null when the canvas is tainted (a cross-origin image) or holds no QR. */
function readCanvas(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D): string | null {
  try {
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return decodeRgba(pixels.data, pixels.width, pixels.height);
  } catch {
    return null; // SecurityError: tainted by a cross-origin image
  }
}

function drawSource(source: CanvasImageSource, w: number, h: number): string | null {
  const size = decodeSize(w, h);
  const made = whiteCanvas(size.width, size.height);
  if (made === null) return null;
  try {
    made.ctx.drawImage(source, MARGIN, MARGIN, size.width, size.height);
  } catch {
    return null;
  }
  return readCanvas(made.canvas, made.ctx);
}

function loaded(img: HTMLImageElement): Promise<boolean> {
  if (img.complete) return Promise.resolve(img.naturalWidth > 0);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      img.removeEventListener("load", onLoad);
      img.removeEventListener("error", onError);
      resolve(ok && img.naturalWidth > 0);
    };
    const onLoad = () => done(true);
    const onError = () => done(false);
    img.addEventListener("load", onLoad);
    img.addEventListener("error", onError);
  });
}

/** An <img>'s QR text. Same-origin and data: images only: a cross-origin one taints the canvas. */
export async function decodeImage(img: HTMLImageElement): Promise<string | null> {
  if (!(await loaded(img))) return null;
  return drawSource(img, img.naturalWidth, img.naturalHeight);
}

/** A <canvas>'s QR text (a 2D canvas; a WebGL one may read as blank). */
export function decodeCanvas(canvas: HTMLCanvasElement): string | null {
  if (canvas.width === 0 || canvas.height === 0) return null;
  return drawSource(canvas, canvas.width, canvas.height);
}

const STYLE_PROPERTIES = ["fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "opacity", "display", "visibility"];

/**
 * Serializes a live <svg> for drawing as an image: its rendered size as width/height, and the
 * computed paint of each element inlined (a page's CSS does not follow the markup).
 */
export function serializeSvg(svg: SVGSVGElement): string | null {
  const box = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  clone.setAttribute("width", String(Math.round(box.width)));
  clone.setAttribute("height", String(Math.round(box.height)));
  const live = svg.querySelectorAll("*");
  const copies = clone.querySelectorAll("*");
  if (live.length > 20000) return null;
  live.forEach((element, i) => {
    const copy = copies[i];
    if (copy === undefined) return;
    const style = getComputedStyle(element);
    const inline = STYLE_PROPERTIES.map((p) => `${p}:${style.getPropertyValue(p)}`).join(";");
    copy.setAttribute("style", inline);
  });
  for (const script of clone.querySelectorAll("script, foreignObject")) script.remove();
  return new XMLSerializer().serializeToString(clone);
}

/** Draws an SVG's markup through an <img> (a data: URI; no request leaves the page). */
function svgMarkupImage(markup: string): Promise<HTMLImageElement | null> {
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => resolve(null);
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
  });
}

/**
 * Draws an SVG's shapes (rect, path, polygon, circle) straight onto a canvas with Path2D, from
 * their live geometry and computed paint: for a page whose CSP keeps data: images out.
 */
function drawSvgShapes(svg: SVGSVGElement): string | null {
  const box = svg.getBoundingClientRect();
  const size = decodeSize(box.width, box.height);
  const made = whiteCanvas(size.width, size.height);
  if (made === null) return null;
  const { ctx } = made;
  const scale = size.width / box.width;
  const shapes = svg.querySelectorAll("rect, path, polygon, circle");
  if (shapes.length > 20000) return null;
  for (const shape of shapes) {
    const geometry = shape as SVGGraphicsElement;
    const m = geometry.getScreenCTM?.();
    if (m === null || m === undefined) continue;
    const style = getComputedStyle(shape);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const path = new Path2D();
    if (shape instanceof SVGRectElement) {
      path.rect(shape.x.baseVal.value, shape.y.baseVal.value, shape.width.baseVal.value, shape.height.baseVal.value);
    } else if (shape instanceof SVGPathElement) {
      path.addPath(new Path2D(shape.getAttribute("d") ?? ""));
    } else if (shape instanceof SVGPolygonElement) {
      const points = Array.from({ length: shape.points.numberOfItems }, (_, i) => shape.points.getItem(i));
      points.forEach((p, i) => (i === 0 ? path.moveTo(p.x, p.y) : path.lineTo(p.x, p.y)));
      path.closePath();
    } else if (shape instanceof SVGCircleElement) {
      path.arc(shape.cx.baseVal.value, shape.cy.baseVal.value, shape.r.baseVal.value, 0, 2 * Math.PI);
    }
    ctx.setTransform(
      scale * m.a,
      scale * m.b,
      scale * m.c,
      scale * m.d,
      scale * (m.e - box.left) + MARGIN,
      scale * (m.f - box.top) + MARGIN,
    );
    if (style.fill !== "none" && style.fill !== "") {
      ctx.fillStyle = style.fill;
      ctx.fill(path, style.fillRule === "evenodd" ? "evenodd" : "nonzero");
    }
    if (style.stroke !== "none" && style.stroke !== "") {
      ctx.strokeStyle = style.stroke;
      ctx.lineWidth = parseFloat(style.strokeWidth) || 1;
      ctx.stroke(path);
    }
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return readCanvas(made.canvas, made.ctx);
}

/** An inline <svg>'s QR text: drawn as an image, or shape by shape when that fails. */
export async function decodeSvg(svg: SVGSVGElement): Promise<string | null> {
  const box = svg.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return null;
  const markup = serializeSvg(svg);
  if (markup !== null) {
    const img = await svgMarkupImage(markup);
    if (img !== null) {
      const text = drawSource(img, box.width, box.height);
      if (text !== null) return text;
    }
  }
  return drawSvgShapes(svg);
}
