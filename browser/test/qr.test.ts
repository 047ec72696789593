import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { classifyQrText } from "../src/otpauth.js";
import { decodeRgba, decodeSize, plausibleQrBox } from "../src/qr.js";

/** RGBA pixels of a QR code for `text`: `scale` pixels a module, a 4-module quiet zone. */
function qrPixels(text: string, scale = 4, invert = false): { data: Uint8ClampedArray; width: number } {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const width = (n + 8) * scale;
  const data = new Uint8ClampedArray(width * width * 4);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const mx = Math.floor(x / scale) - 4;
      const my = Math.floor(y / scale) - 4;
      const dark = mx >= 0 && my >= 0 && mx < n && my < n && qr.modules.get(my, mx) === 1;
      const v = dark !== invert ? 0 : 255;
      const i = (y * width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = v;
      data[i + 3] = 255;
    }
  }
  return { data, width };
}

describe("decodeRgba", () => {
  it("reads an otpauth:// QR code", () => {
    const uri = "otpauth://totp/SPSE%20Demo:budi?secret=JBSWY3DPEHPK3PXP&issuer=SPSE%20Demo&digits=6&period=30";
    const { data, width } = qrPixels(uri);
    const text = decodeRgba(data, width, width);
    expect(text).toBe(uri);
    expect(classifyQrText(text!)).toBe("otpauth");
  });
  it("reads a light-on-dark one", () => {
    const { data, width } = qrPixels("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", 4, true);
    expect(decodeRgba(data, width, width)).toBe("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP");
  });
  it("tells other QR codes apart", () => {
    const { data, width } = qrPixels("https://lpse.example.go.id");
    expect(classifyQrText(decodeRgba(data, width, width)!)).toBe("other");
  });
  it("finds nothing in a blank image or bad sizes", () => {
    const data = new Uint8ClampedArray(100 * 100 * 4).fill(255);
    expect(decodeRgba(data, 100, 100)).toBeNull();
    expect(decodeRgba(data, 0, 0)).toBeNull();
    expect(decodeRgba(data, 1000, 1000)).toBeNull();
  });
});

describe("plausibleQrBox", () => {
  it("wants big enough, roughly square boxes", () => {
    expect(plausibleQrBox(280, 280)).toBe(true);
    expect(plausibleQrBox(48, 48)).toBe(true);
    expect(plausibleQrBox(24, 24)).toBe(false);
    expect(plausibleQrBox(600, 100)).toBe(false);
    expect(plausibleQrBox(0, 0)).toBe(false);
  });
});

describe("decodeSize", () => {
  it("scales into range", () => {
    expect(decodeSize(280, 280)).toEqual({ width: 280, height: 280 });
    expect(decodeSize(100, 100)).toEqual({ width: 240, height: 240 });
    expect(decodeSize(4000, 2000)).toEqual({ width: 1024, height: 512 });
  });
});
