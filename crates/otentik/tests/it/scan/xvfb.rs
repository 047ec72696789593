//! A private X server for the screen and clipboard tests: Xvfb on a display it picks itself
//! (`-displayfd`), killed when dropped. Without Xvfb, an existing `DISPLAY` is used; without
//! either the test fails saying what to install.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

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

/// Starts Xvfb (1280×800, 24-bit) or falls back to `DISPLAY`.
pub fn start() -> Display {
    let spawned = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(mut server) => {
            let stdout = server.stdout.take().expect("Xvfb stdout");
            let mut line = String::new();
            BufReader::new(stdout)
                .read_line(&mut line)
                .expect("reading Xvfb's display number");
            let number = line.trim();
            assert!(
                !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
                "Xvfb did not report a display number (got {line:?})"
            );
            Display {
                name: format!(":{number}"),
                server: Some(server),
            }
        }
        Err(err) => match std::env::var("DISPLAY") {
            Ok(name) if !name.is_empty() => Display { name, server: None },
            _ => panic!(
                "this test needs an X server: install Xvfb (apt-get install xvfb xauth xclip) \
                 or run it with DISPLAY set ({err})"
            ),
        },
    }
}
