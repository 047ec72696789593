//! Synthetic camera-like 1280×720 frames of otpauth URIs, rendered with the `qrcode` crate
//! and transformed (perspective, rotation, blur, noise, low contrast, glare, inversion, small
//! modules, a QR inside a rendered web page, and mixes), from a fixed seed. Shared by the
//! decode-rate tests and the benchmark (`benches/scan.rs`).

use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The seed of the set the tests and the benchmark use.
pub const SEED: u64 = 0x07e4_71c0;
/// Frame size.
pub const WIDTH: u32 = 1280;
/// Frame size.
pub const HEIGHT: u32 = 720;
/// Frames per category.
pub const PER_CATEGORY: usize = 10;

/// Categories, in order.
pub const CATEGORIES: [&str; 11] = [
    "clean",
    "perspective",
    "rotation",
    "blur",
    "noise",
    "lowcontrast",
    "glare",
    "inverted",
    "screenshot",
    "small",
    "mixed",
];

/// One rendered frame and the text its QR code holds.
pub struct SynthFrame {
    /// `category/NNN`.
    pub name: String,
    /// The category.
    pub category: &'static str,
    /// The frame.
    pub image: GrayImage,
    /// The otpauth URI in the code.
    pub text: String,
}

/// Render parameters of one frame.
#[derive(Debug, Clone)]
struct Look {
    /// Pixels per module (before perspective).
    module: f64,
    /// In-plane rotation, degrees.
    roll: f64,
    /// Corner displacement as a fraction of the code's side (perspective).
    tilt: f64,
    /// Gaussian blur sigma, pixels.
    blur: f32,
    /// Noise amplitude (standard deviation, grey levels).
    noise: f64,
    /// Grey of dark modules and of paper.
    ink: f64,
    paper: f64,
    /// Glare strength 0..1.
    glare: f64,
    /// Light modules on dark.
    inverted: bool,
    /// JPEG quality (None: no compression).
    jpeg: Option<u8>,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            module: 5.0,
            roll: 0.0,
            tilt: 0.0,
            blur: 0.6,
            noise: 3.0,
            ink: 40.0,
            paper: 215.0,
            glare: 0.0,
            inverted: false,
            jpeg: Some(88),
        }
    }
}

/// The whole set: [`PER_CATEGORY`] frames of each of [`CATEGORIES`].
pub fn generate(seed: u64) -> Vec<SynthFrame> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut frames = Vec::new();
    for category in CATEGORIES {
        for i in 0..PER_CATEGORY {
            let text = otpauth_uri(&mut rng);
            let image = render(category, &text, &mut rng);
            frames.push(SynthFrame {
                name: format!("{category}/{i:03}"),
                category,
                image,
                text,
            });
        }
    }
    frames
}

/// A random but valid `otpauth://` URI.
pub fn otpauth_uri(rng: &mut StdRng) -> String {
    const ISSUERS: [&str; 8] = [
        "SPSE",
        "LPSE Kementerian Keuangan",
        "GitHub",
        "AWS",
        "Google",
        "LKPP",
        "Bank Rakyat",
        "Pemda Jawa Barat",
    ];
    const NAMES: [&str; 6] = [
        "alice",
        "ppk.dinas@example.go.id",
        "budi.santoso",
        "pokja-12",
        "user@example.com",
        "sri_wahyuni",
    ];
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let issuer = ISSUERS[rng.random_range(0..ISSUERS.len())];
    let name = NAMES[rng.random_range(0..NAMES.len())];
    let secret_len = [16, 26, 32, 52][rng.random_range(0..4)];
    let secret: String = (0..secret_len)
        .map(|_| char::from(BASE32[rng.random_range(0..32)]))
        .collect();
    let issuer_enc = issuer.replace(' ', "%20");
    let mut uri = format!("otpauth://totp/{issuer_enc}:{name}?secret={secret}&issuer={issuer_enc}");
    if rng.random_bool(0.5) {
        uri.push_str(["&algorithm=SHA1", "&algorithm=SHA256"][rng.random_range(0..2)]);
    }
    if rng.random_bool(0.5) {
        uri.push_str(["&digits=6", "&digits=8"][rng.random_range(0..2)]);
    }
    if rng.random_bool(0.5) {
        uri.push_str(["&period=30", "&period=60"][rng.random_range(0..2)]);
    }
    uri
}

fn render(category: &str, text: &str, rng: &mut StdRng) -> GrayImage {
    let level = [EcLevel::L, EcLevel::M, EcLevel::Q][rng.random_range(0..3)];
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), level) else {
        return GrayImage::new(WIDTH, HEIGHT);
    };
    if category == "screenshot" {
        return screenshot(&code, rng);
    }
    let mut look = Look {
        module: rng.random_range(4.0..7.0),
        roll: rng.random_range(-10.0..10.0),
        tilt: rng.random_range(0.0..0.04),
        blur: rng.random_range(0.4..0.9),
        noise: rng.random_range(2.0..4.0),
        jpeg: Some(rng.random_range(80..94)),
        ..Look::default()
    };
    match category {
        "perspective" => look.tilt = rng.random_range(0.10..0.22),
        "rotation" => look.roll = rng.random_range(-180.0..180.0),
        "blur" => look.blur = rng.random_range(1.6..2.6),
        "noise" => look.noise = rng.random_range(14.0..24.0),
        "lowcontrast" => {
            let mid = rng.random_range(90.0..170.0);
            let half = rng.random_range(12.0..20.0);
            look.ink = mid - half;
            look.paper = mid + half;
        }
        "glare" => look.glare = rng.random_range(0.55..0.85),
        "inverted" => look.inverted = true,
        "small" => look.module = rng.random_range(1.6..2.6),
        "mixed" => {
            look.tilt = rng.random_range(0.05..0.14);
            look.roll = rng.random_range(-40.0..40.0);
            look.blur = rng.random_range(0.9..1.5);
            look.noise = rng.random_range(6.0..12.0);
            look.ink = rng.random_range(50.0..80.0);
            look.paper = rng.random_range(150.0..190.0);
            look.glare = rng.random_range(0.0..0.4);
            look.module = rng.random_range(3.0..5.0);
            look.jpeg = Some(rng.random_range(60..80));
        }
        _ => {}
    }
    camera_frame(&code, &look, rng)
}

/// The code on paper in a cluttered scene, seen by a camera.
fn camera_frame(code: &QrCode, look: &Look, rng: &mut StdRng) -> GrayImage {
    let modules = code.width();
    let colors = code.to_colors();
    let quiet = 4.0;
    let span = modules as f64 + 2.0 * quiet;
    let side = span * look.module;
    // Centre so that the whole (tilted) code stays inside the frame.
    let reach = side * (0.75 + look.tilt);
    let cx = rng.random_range(reach.min(640.0)..(WIDTH as f64 - reach).max(640.0 + 1e-3));
    let cy = rng.random_range(reach.min(360.0)..(HEIGHT as f64 - reach).max(360.0 + 1e-3));
    let (sin, cos) = look.roll.to_radians().sin_cos();
    let half = side / 2.0;
    let corners: Vec<(f64, f64)> = [(-half, -half), (half, -half), (half, half), (-half, half)]
        .iter()
        .map(|&(x, y)| {
            let jitter_x = rng.random_range(-1.0..1.0) * look.tilt * side;
            let jitter_y = rng.random_range(-1.0..1.0) * look.tilt * side;
            (
                cx + x * cos - y * sin + jitter_x,
                cy + x * sin + y * cos + jitter_y,
            )
        })
        .collect();
    // Maps frame pixels to code space (0..span on both axes).
    let to_code = homography(
        [corners[0], corners[1], corners[2], corners[3]],
        [(0.0, 0.0), (span, 0.0), (span, span), (0.0, span)],
    );

    // Background: a lit gradient and a few grey shapes (desk, keyboard, paper edges).
    let base: f64 = rng.random_range(70.0..140.0);
    let gx: f64 = rng.random_range(-0.05..0.05);
    let gy: f64 = rng.random_range(-0.05..0.05);
    let mut frame: Vec<f64> = (0..HEIGHT)
        .flat_map(|y| (0..WIDTH).map(move |x| base + gx * x as f64 + gy * y as f64))
        .collect();
    for _ in 0..6 {
        let (x0, y0) = (rng.random_range(0..WIDTH), rng.random_range(0..HEIGHT));
        let (w, h) = (rng.random_range(40..400), rng.random_range(20..200));
        let grey = rng.random_range(20.0..230.0);
        for y in y0..(y0 + h).min(HEIGHT) {
            for x in x0..(x0 + w).min(WIDTH) {
                frame[(y * WIDTH + x) as usize] = grey;
            }
        }
    }
    // The paper with the code, 2×2 supersampled.
    let (min_x, max_x) = corners
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), c| (a.min(c.0), b.max(c.0)));
    let (min_y, max_y) = corners
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), c| (a.min(c.1), b.max(c.1)));
    let (dark, light) = if look.inverted {
        (look.paper, look.ink)
    } else {
        (look.ink, look.paper)
    };
    for y in (min_y.floor().max(0.0) as u32)..(max_y.ceil().min(HEIGHT as f64) as u32) {
        for x in (min_x.floor().max(0.0) as u32)..(max_x.ceil().min(WIDTH as f64) as u32) {
            let mut sum = 0.0;
            let mut inside = 0;
            for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (u, v) = apply(&to_code, x as f64 + sx, y as f64 + sy);
                if !(0.0..span).contains(&u) || !(0.0..span).contains(&v) {
                    continue;
                }
                inside += 1;
                let (mx, my) = (u - quiet, v - quiet);
                let is_dark = mx >= 0.0
                    && my >= 0.0
                    && (mx as usize) < modules
                    && (my as usize) < modules
                    && colors[my as usize * modules + mx as usize] == Color::Dark;
                sum += if is_dark { dark } else { light };
            }
            if inside > 0 {
                let i = (y * WIDTH + x) as usize;
                frame[i] = (sum + frame[i] * f64::from(4 - inside)) / 4.0;
            }
        }
    }
    // Glare: a bright elliptic blob near the code, saturating.
    if look.glare > 0.0 {
        let gx = cx + rng.random_range(-0.4..0.4) * side;
        let gy = cy + rng.random_range(-0.4..0.4) * side;
        let radius = side * rng.random_range(0.25..0.5);
        for (i, p) in frame.iter_mut().enumerate() {
            let (x, y) = ((i as u32 % WIDTH) as f64, (i as u32 / WIDTH) as f64);
            let d2 = ((x - gx).powi(2) + (y - gy).powi(2)) / radius.powi(2);
            *p += look.glare * 255.0 * (-d2).exp();
        }
    }
    // Vignette and exposure.
    let exposure = rng.random_range(0.85..1.1);
    let mut image = GrayImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let dx = (x as f64 - 640.0) / 640.0;
        let dy = (y as f64 - 360.0) / 360.0;
        let v = frame[(y * WIDTH + x) as usize] * exposure * (1.0 - 0.12 * (dx * dx + dy * dy));
        Luma([v.clamp(0.0, 255.0) as u8])
    });
    if look.blur > 0.05 {
        image = image::imageops::blur(&image, look.blur);
    }
    if look.noise > 0.0 {
        for p in image.pixels_mut() {
            // Sum of uniforms ≈ Gaussian.
            let n: f64 = (0..4).map(|_| rng.random_range(-1.0..1.0)).sum::<f64>() * 0.866;
            p.0[0] = (f64::from(p.0[0]) + n * look.noise).clamp(0.0, 255.0) as u8;
        }
    }
    match look.jpeg {
        Some(quality) => jpeg(&image, quality),
        None => image,
    }
}

/// A browser window: header bar, menu, lines of text, a card with the code at an integer
/// scale, captured as a screenshot (sometimes scaled by the desktop, sometimes as JPEG).
fn screenshot(code: &QrCode, rng: &mut StdRng) -> GrayImage {
    let mut image = GrayImage::from_pixel(WIDTH, HEIGHT, Luma([rng.random_range(235..=255)]));
    let fill = |image: &mut GrayImage, x0: u32, y0: u32, w: u32, h: u32, grey: u8| {
        for y in y0..(y0 + h).min(HEIGHT) {
            for x in x0..(x0 + w).min(WIDTH) {
                image.put_pixel(x, y, Luma([grey]));
            }
        }
    };
    fill(&mut image, 0, 0, WIDTH, 40, 50);
    fill(&mut image, 0, 40, WIDTH, 36, 225);
    fill(&mut image, 0, 76, 220, HEIGHT, rng.random_range(200..230));
    for line in 0..30 {
        let y = 100 + line * 20;
        let w = rng.random_range(100..500);
        fill(&mut image, 250, y, w, 8, rng.random_range(60..140));
        fill(&mut image, 20, y, rng.random_range(60..180), 8, 90);
    }
    let scale = rng.random_range(3..=5) as u32;
    let modules = code.width() as u32;
    let colors = code.to_colors();
    let side = (modules + 8) * scale;
    let x0 = rng.random_range(760..(WIDTH - side).max(761));
    let y0 = rng.random_range(90..(HEIGHT - side).max(91));
    fill(&mut image, x0 - 10, y0 - 10, side + 20, side + 20, 200);
    fill(&mut image, x0, y0, side, side, 255);
    for my in 0..modules {
        for mx in 0..modules {
            if colors[(my * modules + mx) as usize] == Color::Dark {
                fill(
                    &mut image,
                    x0 + (mx + 4) * scale,
                    y0 + (my + 4) * scale,
                    scale,
                    scale,
                    0,
                );
            }
        }
    }
    if rng.random_bool(0.4) {
        // Fractional desktop scaling (125 %) shown back at 100 %.
        let small =
            image::imageops::resize(&image, 1024, 576, image::imageops::FilterType::Triangle);
        image =
            image::imageops::resize(&small, WIDTH, HEIGHT, image::imageops::FilterType::Triangle);
    }
    if rng.random_bool(0.5) {
        image = jpeg(&image, rng.random_range(70..92));
    }
    image
}

fn jpeg(image: &GrayImage, quality: u8) -> GrayImage {
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
    if image.write_with_encoder(encoder).is_err() {
        return image.clone();
    }
    image::load_from_memory(&bytes).map_or_else(|_| image.clone(), |i| i.to_luma8())
}

/// The projective map taking `from[i]` to `to[i]`, as 8 coefficients (h33 = 1).
fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> [f64; 8] {
    let mut m = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (from[i], to[i]);
        m[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        m[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gauss-Jordan with partial pivoting.
    for col in 0..8 {
        let pivot = (col..8)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .unwrap_or(col);
        m.swap(col, pivot);
        let p = m[col][col];
        if p.abs() < 1e-12 {
            continue;
        }
        for value in m[col].iter_mut() {
            *value /= p;
        }
        for row in 0..8 {
            if row != col {
                let f = m[row][col];
                let pivot_row = m[col];
                for (value, p) in m[row].iter_mut().zip(pivot_row) {
                    *value -= f * p;
                }
            }
        }
    }
    let mut h = [0.0; 8];
    for (i, value) in h.iter_mut().enumerate() {
        *value = m[i][8];
    }
    h
}

fn apply(h: &[f64; 8], x: f64, y: f64) -> (f64, f64) {
    let w = h[6] * x + h[7] * y + 1.0;
    (
        (h[0] * x + h[1] * y + h[2]) / w,
        (h[3] * x + h[4] * y + h[5]) / w,
    )
}
