//! Cheap image transforms tried before a decoder: each one rescues a kind of frame the
//! decoders miss as is (tiny codes, low contrast, glare, noise, inverted codes).

use image::GrayImage;

/// One preprocessing step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Prep {
    /// The frame as it is.
    AsIs,
    /// Half the size, each pixel the mean of a 2×2 block (fast; smooths noise and blur).
    Half,
    /// Twice the size, bilinear (gives tiny codes more pixels per module).
    Double,
    /// Contrast stretch: the 1st percentile becomes black, the 99th white.
    Stretch,
    /// Adaptive threshold against the local mean (evens out glare and shadows).
    Threshold,
    /// Dark and light swapped (codes shown light on dark).
    Invert,
    /// 3×3 box blur (noise, JPEG blocks, halftone).
    Smooth,
}

impl Prep {
    /// Short stable name, used in `--json` output and ladder descriptions.
    pub fn name(self) -> &'static str {
        match self {
            Prep::AsIs => "as-is",
            Prep::Half => "half",
            Prep::Double => "double",
            Prep::Stretch => "stretch",
            Prep::Threshold => "threshold",
            Prep::Invert => "invert",
            Prep::Smooth => "smooth",
        }
    }

    /// The step called `name` (see [`Prep::name`]).
    pub fn from_name(name: &str) -> Option<Prep> {
        [
            Prep::AsIs,
            Prep::Half,
            Prep::Double,
            Prep::Stretch,
            Prep::Threshold,
            Prep::Invert,
            Prep::Smooth,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }

    /// Applies the step; `None` for [`Prep::AsIs`] (use the input) and when the result would
    /// be empty or larger than [`MAX_WORK_SIDE`].
    pub(crate) fn apply(self, image: &GrayImage) -> Option<GrayImage> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return None;
        }
        match self {
            Prep::AsIs => None,
            Prep::Half => (w >= 2 && h >= 2).then(|| half(image)),
            Prep::Double => (w.max(h).saturating_mul(2) <= MAX_WORK_SIDE).then(|| double(image)),
            Prep::Stretch => Some(stretch(image)),
            Prep::Threshold => Some(threshold(image)),
            Prep::Invert => {
                let mut out = image.clone();
                image::imageops::invert(&mut out);
                Some(out)
            }
            Prep::Smooth => Some(smooth(image)),
        }
    }
}

/// Frames are scaled down until their longer side is at most this before decoding.
pub const MAX_WORK_SIDE: u32 = 4096;

/// 2×2 block mean.
pub(crate) fn half(image: &GrayImage) -> GrayImage {
    let (w, h) = (image.width() / 2, image.height() / 2);
    let src = image.as_raw();
    let stride = image.width() as usize;
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for y in 0..h as usize {
        let top = &src[2 * y * stride..];
        let bottom = &src[(2 * y + 1) * stride..];
        for x in 0..w as usize {
            let sum = u16::from(top[2 * x])
                + u16::from(top[2 * x + 1])
                + u16::from(bottom[2 * x])
                + u16::from(bottom[2 * x + 1]);
            out.push(((sum + 2) / 4) as u8);
        }
    }
    GrayImage::from_raw(w, h, out).unwrap_or_default()
}

/// Bilinear ×2.
fn double(image: &GrayImage) -> GrayImage {
    let (w, h) = image.dimensions();
    let (ow, oh) = (w * 2, h * 2);
    let src = image.as_raw();
    let stride = w as usize;
    let mut out = Vec::with_capacity(ow as usize * oh as usize);
    for oy in 0..oh {
        // Output pixel centre in input coordinates: (o + 0.5) / 2 - 0.5, in quarters.
        let fy = (i64::from(oy) * 2 - 1).max(0);
        let y0 = ((fy / 4) as u32).min(h - 1);
        let y1 = (y0 + 1).min(h - 1);
        let wy = (fy % 4) as u32;
        for ox in 0..ow {
            let fx = (i64::from(ox) * 2 - 1).max(0);
            let x0 = ((fx / 4) as u32).min(w - 1);
            let x1 = (x0 + 1).min(w - 1);
            let wx = (fx % 4) as u32;
            let at = |x: u32, y: u32| u32::from(src[y as usize * stride + x as usize]);
            let top = at(x0, y0) * (4 - wx) + at(x1, y0) * wx;
            let bottom = at(x0, y1) * (4 - wx) + at(x1, y1) * wx;
            out.push(((top * (4 - wy) + bottom * wy + 8) / 16) as u8);
        }
    }
    GrayImage::from_raw(ow, oh, out).unwrap_or_default()
}

/// Linear stretch of the 1st..99th percentile to 0..255.
fn stretch(image: &GrayImage) -> GrayImage {
    let mut histogram = [0usize; 256];
    for &p in image.as_raw() {
        histogram[p as usize] += 1;
    }
    let total = image.as_raw().len();
    let cut = total / 100;
    let percentile = |from_top: bool| {
        let mut seen = 0;
        let order: Box<dyn Iterator<Item = usize>> = if from_top {
            Box::new((0..256).rev())
        } else {
            Box::new(0..256)
        };
        for v in order {
            seen += histogram[v];
            if seen > cut {
                return v;
            }
        }
        if from_top { 255 } else { 0 }
    };
    let (low, high) = (percentile(false), percentile(true));
    let mut lut = [0u8; 256];
    if high > low {
        for (v, out) in lut.iter_mut().enumerate() {
            let scaled = (v.saturating_sub(low) * 255) / (high - low);
            *out = scaled.min(255) as u8;
        }
    } else {
        for (v, out) in lut.iter_mut().enumerate() {
            *out = v as u8;
        }
    }
    let pixels = image.as_raw().iter().map(|&p| lut[p as usize]).collect();
    GrayImage::from_raw(image.width(), image.height(), pixels).unwrap_or_default()
}

/// Black where a pixel is darker than the mean of its neighbourhood (a square about an
/// eighth of the shorter side) by a small margin, white elsewhere.
fn threshold(image: &GrayImage) -> GrayImage {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let radius = (w.min(h) / 16).clamp(4, 64);
    let integral = integral(image);
    let stride = w + 1;
    let src = image.as_raw();
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let sum = integral[y1 * stride + x1] + integral[y0 * stride + x0]
                - integral[y0 * stride + x1]
                - integral[y1 * stride + x0];
            let count = ((y1 - y0) * (x1 - x0)) as u64;
            let pixel = u64::from(src[y * w + x]) * count;
            // 3 % below the local mean counts as dark.
            out.push(if pixel * 100 < sum * 97 { 0 } else { 255 });
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_default()
}

/// Summed-area table with a zero first row and column.
fn integral(image: &GrayImage) -> Vec<u64> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let stride = w + 1;
    let mut table = vec![0u64; stride * (h + 1)];
    let src = image.as_raw();
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(src[y * w + x]);
            table[(y + 1) * stride + x + 1] = table[y * stride + x + 1] + row;
        }
    }
    table
}

/// 3×3 box blur, edges clamped.
fn smooth(image: &GrayImage) -> GrayImage {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let src = image.as_raw();
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let rows = [y.saturating_sub(1), y, (y + 1).min(h - 1)];
        for x in 0..w {
            let cols = [x.saturating_sub(1), x, (x + 1).min(w - 1)];
            let mut sum = 0u16;
            for r in rows {
                for c in cols {
                    sum += u16::from(src[r * w + c]);
                }
            }
            out.push(((sum + 4) / 9) as u8);
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| image::Luma([((x * 7 + y * 3) % 256) as u8]))
    }

    #[test]
    fn names_round_trip() {
        for prep in [
            Prep::AsIs,
            Prep::Half,
            Prep::Double,
            Prep::Stretch,
            Prep::Threshold,
            Prep::Invert,
            Prep::Smooth,
        ] {
            assert_eq!(Prep::from_name(prep.name()), Some(prep));
        }
        assert_eq!(Prep::from_name("sharpen"), None);
    }

    #[test]
    fn sizes() {
        let image = gradient(5, 3);
        assert_eq!(
            Prep::Half.apply(&image).map(|i| i.dimensions()),
            Some((2, 1))
        );
        assert_eq!(
            Prep::Double.apply(&image).map(|i| i.dimensions()),
            Some((10, 6))
        );
        for prep in [Prep::Stretch, Prep::Threshold, Prep::Invert, Prep::Smooth] {
            assert_eq!(prep.apply(&image).map(|i| i.dimensions()), Some((5, 3)));
        }
        assert!(Prep::AsIs.apply(&image).is_none());
        assert!(Prep::Half.apply(&gradient(1, 9)).is_none());
    }

    #[test]
    fn tiny_and_flat_images_do_not_panic() {
        for (w, h) in [(1, 1), (1, 7), (2, 2), (3, 1)] {
            let flat = GrayImage::from_pixel(w, h, image::Luma([77]));
            for prep in [
                Prep::Half,
                Prep::Double,
                Prep::Stretch,
                Prep::Threshold,
                Prep::Invert,
                Prep::Smooth,
            ] {
                let _ = prep.apply(&flat);
            }
        }
    }

    #[test]
    fn stretch_spreads_low_contrast_to_full_range() {
        let image = GrayImage::from_fn(100, 10, |x, _| image::Luma([100 + (x / 2) as u8]));
        let out = stretch(&image);
        let (min, max) = out
            .as_raw()
            .iter()
            .fold((255, 0), |(lo, hi), &p| (p.min(lo), p.max(hi)));
        assert!(min <= 3 && max >= 252, "min {min} max {max}");
    }

    #[test]
    fn threshold_splits_dark_from_light_under_a_gradient() {
        // Checkerboard of 8-pixel cells on a strong left-to-right illumination gradient.
        let image = GrayImage::from_fn(128, 64, |x, y| {
            let light = 60 + x as u16;
            let dark = (x / 8 + y / 8) % 2 == 0;
            image::Luma([if dark {
                (light / 3) as u8
            } else {
                light.min(255) as u8
            }])
        });
        let out = threshold(&image);
        let wrong = out
            .enumerate_pixels()
            .filter(|(x, y, p)| ((x / 8 + y / 8) % 2 == 0) != (p.0[0] == 0))
            .count();
        assert!(wrong < 128 * 64 / 20, "{wrong} pixels on the wrong side");
    }

    #[test]
    fn half_and_double_keep_the_mean() {
        let image = gradient(64, 32);
        let mean = |i: &GrayImage| {
            i.as_raw().iter().map(|&p| u64::from(p)).sum::<u64>() / i.as_raw().len() as u64
        };
        let m = mean(&image);
        assert!(mean(&half(&image)).abs_diff(m) <= 2);
        assert!(mean(&double(&image)).abs_diff(m) <= 4);
    }
}
