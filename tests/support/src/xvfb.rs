//! A private X server for the screen, clipboard and window tests: Xvfb on a display it picks
//! itself (`-displayfd`), killed when dropped. Without Xvfb, an existing `DISPLAY` is used;
//! without either the test fails saying what to install.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use image::GrayImage;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ConnectionExt, CreateGCAux, CreateWindowAux, EventMask, ImageFormat, WindowClass,
};

/// A running X display.
pub struct Display {
    /// `:N`.
    pub name: String,
    server: Option<Child>,
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(server) = &mut self.server {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

impl Display {
    /// A display someone else runs (it is not stopped when this is dropped).
    pub fn existing(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            server: None,
        }
    }

    /// Shows `image` in a window of our own at (x, y); the connection must stay open for the
    /// window to stay.
    pub fn show(
        &self,
        image: &GrayImage,
        x: i16,
        y: i16,
    ) -> x11rb::rust_connection::RustConnection {
        let (conn, screen_num) = x11rb::connect(Some(&self.name)).unwrap();
        let screen = conn.setup().roots[screen_num].clone();
        let window = conn.generate_id().unwrap();
        let (w, h) = (image.width() as u16, image.height() as u16);
        conn.create_window(
            screen.root_depth,
            window,
            screen.root,
            x,
            y,
            w,
            h,
            0,
            WindowClass::INPUT_OUTPUT,
            screen.root_visual,
            &CreateWindowAux::new()
                .background_pixel(screen.white_pixel)
                .override_redirect(1)
                .event_mask(EventMask::STRUCTURE_NOTIFY | EventMask::EXPOSURE),
        )
        .unwrap();
        conn.map_window(window).unwrap();
        conn.flush().unwrap();
        loop {
            if let Event::MapNotify(_) = conn.wait_for_event().unwrap() {
                break;
            }
        }
        let gc = conn.generate_id().unwrap();
        conn.create_gc(gc, window, &CreateGCAux::new()).unwrap();
        // 32-bit BGRX rows, a band at a time to stay under the request size limit.
        for top in (0..h).step_by(64) {
            let rows = (h - top).min(64);
            let mut data = Vec::with_capacity(usize::from(w) * usize::from(rows) * 4);
            for y in top..top + rows {
                for x in 0..w {
                    let g = image.get_pixel(u32::from(x), u32::from(y)).0[0];
                    data.extend([g, g, g, 0]);
                }
            }
            conn.put_image(
                ImageFormat::Z_PIXMAP,
                window,
                gc,
                w,
                rows,
                0,
                top as i16,
                0,
                screen.root_depth,
                &data,
            )
            .unwrap();
        }
        conn.get_input_focus().unwrap().reply().unwrap();
        conn
    }

    /// `xclip -selection clipboard [-t type] -i` fed `bytes`, returning once the clipboard
    /// serves them; xclip keeps serving the selection in the background until the display
    /// goes away.
    pub fn clip(&self, mime: Option<&str>, bytes: &[u8]) {
        let mut command = Command::new("xclip");
        command.args(["-selection", "clipboard"]);
        if let Some(mime) = mime {
            command.args(["-t", mime]);
        }
        let mut child = command
            .arg("-i")
            .env("DISPLAY", &self.name)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("this test needs xclip (apt-get install xclip)");
        child.stdin.take().unwrap().write_all(bytes).unwrap();
        assert!(child.wait().unwrap().success(), "xclip failed");
        // xclip's background half takes the selection a moment after the command returns: a
        // reader started at once could still see the previous owner.
        let target = mime.unwrap_or("UTF8_STRING");
        crate::wait::until_true(
            std::time::Duration::from_secs(10),
            "xclip to serve the clipboard",
            || {
                Command::new("xclip")
                    .args(["-selection", "clipboard", "-o", "-t", target])
                    .env("DISPLAY", &self.name)
                    .stderr(Stdio::null())
                    .output()
                    .is_ok_and(|out| out.stdout == bytes)
            },
        );
    }
}

/// Starts Xvfb (1280×800, 24-bit) or falls back to `DISPLAY`.
pub fn start() -> Display {
    try_start().unwrap_or_else(|error| panic!("{error}"))
}

/// Starts Xvfb (1280×800, 24-bit) and only Xvfb (a test that needs a display of its own).
pub fn start_private() -> Result<Display, String> {
    let mut server = Command::new("Xvfb")
        .args(XVFB_ARGS)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start Xvfb (apt-get install xvfb xauth): {e}"))?;
    let number = display_number(&mut server)?;
    Ok(Display {
        name: format!(":{number}"),
        server: Some(server),
    })
}

/// What the display is started with.
const XVFB_ARGS: [&str; 8] = [
    "-displayfd",
    "1",
    "-screen",
    "0",
    "1280x800x24",
    "-nolisten",
    "tcp",
    // Without it, Xvfb resets when its last client disconnects, and a client that connects
    // meanwhile is refused ("Connection reset by peer").
    "-noreset",
];

fn display_number(server: &mut Child) -> Result<String, String> {
    let stdout = server.stdout.take().ok_or("no Xvfb stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("reading Xvfb's display number: {e}"))?;
    let number = line.trim().to_owned();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        let _ = server.kill();
        let _ = server.wait();
        return Err(format!(
            "Xvfb did not report a display number (got {line:?})"
        ));
    }
    Ok(number)
}

/// Starts Xvfb, or falls back to `DISPLAY`; the error says what to install.
pub fn try_start() -> Result<Display, String> {
    match start_private() {
        Ok(display) => Ok(display),
        Err(error) => match std::env::var("DISPLAY") {
            Ok(name) if !name.is_empty() => Ok(Display { name, server: None }),
            _ => Err(format!(
                "this test needs an X server: install Xvfb (apt-get install xvfb xauth xclip) \
                 or run it with DISPLAY set ({error})"
            )),
        },
    }
}
