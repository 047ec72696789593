//! X11 (and XWayland): one `GetImage` per monitor that RandR reports, through x11rb (the X11
//! crate arboard already uses).

use image::GrayImage;
use x11rb::connection::Connection;
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, ImageOrder, Screen as X11Screen};

use crate::error::{Error, Result};
use crate::scan::source::Capture;

/// Every monitor of the X11 display `display` (`":0"`), one grey image each.
pub(super) fn capture(display: &str) -> Result<Vec<Capture>> {
    let fail = |reason: String| Error::ScreenCapture { reason };
    let (conn, screen_num) = x11rb::connect(Some(display))
        .map_err(|err| fail(format!("cannot connect to the X11 display: {err}")))?;
    let setup = conn.setup();
    let screen = setup
        .roots
        .get(screen_num)
        .ok_or_else(|| fail("the X11 display has no screen".to_owned()))?;
    let layout = PixelLayout::of(setup, screen)?;
    let mut captures = Vec::new();
    for area in monitors(&conn, screen) {
        let reply = conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                screen.root,
                area.x,
                area.y,
                area.width,
                area.height,
                u32::MAX,
            )
            .map_err(|err| fail(err.to_string()))?
            .reply()
            .map_err(|err| fail(format!("the X server refused to share the screen: {err}")))?;
        captures.push(Capture::Image(layout.grey_image(
            u32::from(area.width),
            u32::from(area.height),
            &reply.data,
        )?));
    }
    Ok(captures)
}

/// A monitor's rectangle on the root window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Area {
    x: i16,
    y: i16,
    width: u16,
    height: u16,
}

/// The monitors RandR reports, or the whole root window when it reports none.
fn monitors(conn: &impl Connection, screen: &X11Screen) -> Vec<Area> {
    let whole = Area {
        x: 0,
        y: 0,
        width: screen.width_in_pixels,
        height: screen.height_in_pixels,
    };
    let listed = conn
        .randr_get_monitors(screen.root, true)
        .ok()
        .and_then(|cookie| cookie.reply().ok())
        .map(|reply| reply.monitors)
        .unwrap_or_default();
    let areas: Vec<Area> = listed
        .iter()
        .map(|m| Area {
            x: m.x,
            y: m.y,
            width: m.width,
            height: m.height,
        })
        .filter(|a| a.width > 0 && a.height > 0)
        .collect();
    if areas.is_empty() { vec![whole] } else { areas }
}

/// How the X server lays out the pixels of the root window.
#[derive(Debug, Clone, Copy)]
struct PixelLayout {
    bits_per_pixel: u32,
    scanline_pad: u32,
    lsb_first: bool,
    masks: [u32; 3],
}

impl PixelLayout {
    fn of(setup: &x11rb::protocol::xproto::Setup, screen: &X11Screen) -> Result<Self> {
        let fail = |reason: &str| Error::ScreenCapture {
            reason: reason.to_owned(),
        };
        let format = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == screen.root_depth)
            .ok_or_else(|| fail("the X server describes no pixel format for its root window"))?;
        let visual = screen
            .allowed_depths
            .iter()
            .flat_map(|d| d.visuals.iter())
            .find(|v| v.visual_id == screen.root_visual)
            .ok_or_else(|| fail("the X server describes no visual for its root window"))?;
        let bits_per_pixel = u32::from(format.bits_per_pixel);
        if ![16, 24, 32].contains(&bits_per_pixel) || visual.red_mask == 0 {
            return Err(fail(
                "the display uses a palette or an unusual pixel format (need 16, 24 or 32-bit true colour)",
            ));
        }
        Ok(PixelLayout {
            bits_per_pixel,
            scanline_pad: u32::from(format.scanline_pad).max(8),
            lsb_first: setup.image_byte_order == ImageOrder::LSB_FIRST,
            masks: [visual.red_mask, visual.green_mask, visual.blue_mask],
        })
    }

    fn grey_image(&self, width: u32, height: u32, data: &[u8]) -> Result<GrayImage> {
        let bytes = (self.bits_per_pixel / 8) as usize;
        let row_bits = width * self.bits_per_pixel;
        let stride = (row_bits.div_ceil(self.scanline_pad) * self.scanline_pad / 8) as usize;
        if data.len() < stride * height as usize {
            return Err(Error::ScreenCapture {
                reason: format!(
                    "the X server sent {} bytes for a {width}×{height} image",
                    data.len()
                ),
            });
        }
        let channel = |value: u32, mask: u32| -> u32 {
            let shifted = (value & mask) >> mask.trailing_zeros();
            let max = mask >> mask.trailing_zeros();
            shifted * 255 / max.max(1)
        };
        let mut out = Vec::with_capacity(width as usize * height as usize);
        for y in 0..height as usize {
            let row = &data[y * stride..];
            for x in 0..width as usize {
                let px = &row[x * bytes..x * bytes + bytes];
                let value = px.iter().enumerate().fold(0u32, |acc, (i, &b)| {
                    let shift = if self.lsb_first { i } else { bytes - 1 - i } * 8;
                    acc | (u32::from(b) << shift)
                });
                let [r, g, b] = self.masks.map(|m| channel(value, m));
                out.push(((r * 299 + g * 587 + b * 114 + 500) / 1000) as u8);
            }
        }
        Ok(GrayImage::from_raw(width, height, out).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bgrx_little_endian_pixels_become_grey() {
        let layout = PixelLayout {
            bits_per_pixel: 32,
            scanline_pad: 32,
            lsb_first: true,
            masks: [0x00ff_0000, 0x0000_ff00, 0x0000_00ff],
        };
        // white, black, pure red, pure green (B, G, R, X each).
        let data = [255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 255, 0, 0];
        let image = layout.grey_image(4, 1, &data).unwrap_or_default();
        assert_eq!(image.as_raw(), &[255, 0, 76, 150]);
        assert!(layout.grey_image(5, 1, &data).is_err());
    }

    #[test]
    fn rgb565_pixels_become_grey() {
        let layout = PixelLayout {
            bits_per_pixel: 16,
            scanline_pad: 32,
            lsb_first: true,
            masks: [0xf800, 0x07e0, 0x001f],
        };
        // Two pixels (white, black) + 4 bytes of row padding to 32 bits... 2×16 = 32: none.
        let data = [0xff, 0xff, 0x00, 0x00];
        let image = layout.grey_image(2, 1, &data).unwrap_or_default();
        assert_eq!(image.as_raw(), &[255, 0]);
    }
}
