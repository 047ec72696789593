//! The desktop app in its real window, for end-to-end tests and benchmarks: a private Xvfb
//! display, `tauri-driver` (which runs Debian's `WebKitWebDriver`), the debug build of
//! `otentik-app` with a throwaway HOME, data directory and keyring service, and a fantoccini
//! WebDriver client. The caller runs inside `scripts/with-keyring.sh`, whose Secret Service the
//! app uses.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
pub use otentik_test_support::xvfb;
use serde_json::{Value, json};

/// One running app and everything around it. Stops it all when dropped.
pub struct Desktop {
    /// The WebDriver session.
    pub client: Client,
    /// `DISPLAY` of the private X server.
    pub display: String,
    /// Throwaway HOME (the data directory is inside).
    pub home: PathBuf,
    _home_guard: Option<tempfile::TempDir>,
    /// Random keyring service of this run.
    pub service: String,
    /// When the WebDriver session was requested (the app starts right after).
    pub requested: Instant,
    /// When the session was ready (the window exists).
    pub connected: Instant,
    screenshots: PathBuf,
    driver: Child,
    /// The private X display (stopped last, when dropped).
    xvfb: xvfb::Display,
}

/// `target/` of this build, found from the running executable (`target/<profile>/deps/<exe>`),
/// so it follows `CARGO_TARGET_DIR`.
pub fn target_dir() -> Result<PathBuf> {
    profile_dir()
        .parent()
        .map(Path::to_path_buf)
        .context("the profile directory has no parent")
}

/// The profile directory this executable was built in (`target/debug` for tests,
/// `target/release` for benchmarks).
pub fn profile_dir() -> PathBuf {
    otentik_test_support::binary::profile_dir()
}

/// A binary of the workspace, from the same profile as this executable.
pub fn binary(name: &str) -> Result<PathBuf> {
    let path = profile_dir().join(name);
    if !path.exists() {
        bail!(
            "{} is missing: build it first (cargo build -p otentik-app -p otentik-cli, with --release for benchmarks; `make test` and `make bench` do)",
            path.display()
        );
    }
    Ok(path)
}

/// Where screenshots go: `target/e2e-screenshots/`.
pub fn screenshot_dir() -> Result<PathBuf> {
    let dir = target_dir()?.join("e2e-screenshots");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn tauri_driver() -> Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("tauri-driver"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        candidates.push(PathBuf::from(home).join("bin/tauri-driver"));
    }
    candidates
        .into_iter()
        .find(|p| p.exists())
        .context("tauri-driver is not installed: cargo install tauri-driver --locked")
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, limit: Duration) -> Result<()> {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > limit {
            bail!("nothing listens on port {port} after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

impl Desktop {
    /// Starts X, the driver and the app with an empty vault.
    pub async fn start() -> Result<Self> {
        Self::start_with_accounts(&[]).await
    }

    /// Starts X, the driver and the app over a vault that already holds the accounts of
    /// `uris` (added with the `otentik` CLI, in that order).
    pub async fn start_with_accounts(uris: &[&str]) -> Result<Self> {
        let home = tempfile::tempdir()?;
        let service = format!(
            "otentik-e2e-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_nanos()
        );
        for uri in uris {
            run_cli(&app_env(home.path(), &service, ":0"), &["add", uri])?;
        }
        let mut desktop = Self::launch(home.path().to_path_buf(), service, &[]).await?;
        desktop._home_guard = Some(home);
        Ok(desktop)
    }

    /// Starts X, the driver and the app over the vault in `home` and `service`.
    pub async fn start_in(home: PathBuf, service: String) -> Result<Self> {
        Self::launch(home, service, &[]).await
    }

    /// Starts the app with command-line arguments (as the OS does for an `otpauth://` link),
    /// over an empty vault.
    pub async fn start_with_args(args: &[&str]) -> Result<Self> {
        let home = tempfile::tempdir()?;
        let service = format!("otentik-e2e-link-{}", std::process::id());
        let mut desktop = Self::launch(home.path().to_path_buf(), service, args).await?;
        desktop._home_guard = Some(home);
        Ok(desktop)
    }

    async fn launch(home: PathBuf, service: String, args: &[&str]) -> Result<Self> {
        let app = binary("otentik-app")?;
        let xvfb = xvfb::start_private().map_err(anyhow::Error::msg)?;
        let display = xvfb.name.clone();
        let port = free_port()?;
        let native_port = free_port()?;
        let mut driver = Command::new(tauri_driver()?);
        driver
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::null())
            // The app's own messages (it inherits the driver's), for failure reports.
            .stderr(std::fs::File::create(home.join("app.log"))?);
        for (key, value) in app_env(&home, &service, &display) {
            driver.env(key, value);
        }
        let mut driver = driver.spawn().context("cannot start tauri-driver")?;
        let ended = |driver: &mut Child| {
            let _ = driver.kill();
            let _ = driver.wait();
        };
        // tauri-driver starts WebKitWebDriver and listens at once; a session asked for before
        // WebKitWebDriver listens fails (the connection is dropped): wait for both.
        if let Err(error) = wait_for_port(port, Duration::from_secs(20))
            .and_then(|()| wait_for_port(native_port, Duration::from_secs(20)))
        {
            ended(&mut driver);
            return Err(error);
        }

        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".into(),
            json!({ "application": app.display().to_string(), "args": args }),
        );
        let mut builder = ClientBuilder::rustls()?;
        builder.capabilities(capabilities);
        let requested = Instant::now();
        let client = match builder.connect(&format!("http://127.0.0.1:{port}")).await {
            Ok(client) => client,
            Err(error) => {
                ended(&mut driver);
                let log = std::fs::read_to_string(home.join("app.log")).unwrap_or_default();
                return Err(anyhow::Error::new(error).context(format!(
                    "cannot open a WebDriver session on the app; it printed:\n{log}"
                )));
            }
        };
        let connected = Instant::now();
        Ok(Self {
            client,
            display,
            home,
            _home_guard: None,
            service,
            requested,
            connected,
            screenshots: screenshot_dir()?,
            driver,
            xvfb,
        })
    }

    /// Environment of the app and of the CLI run beside it.
    pub fn env(&self) -> Vec<(String, String)> {
        app_env(&self.home, &self.service, &self.display)
    }

    /// Runs the `otentik` CLI on the same vault; its standard output.
    pub fn cli(&self, args: &[&str]) -> Result<String> {
        run_cli(&self.env(), args)
    }

    /// Launches the app binary a second time in the same session (HOME, display, D-Bus), as
    /// the OS does when the user opens an `otpauth://` link while the app runs; how it exited.
    pub fn launch_again(&self, args: &[&str]) -> Result<std::process::ExitStatus> {
        let mut second = Command::new(binary("otentik-app")?)
            .args(args)
            .envs(self.env())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let start = Instant::now();
        loop {
            if let Some(status) = second.try_wait()? {
                return Ok(status);
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = second.kill();
                let _ = second.wait();
                bail!("the second launch was still running after 20 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the app (and the WebDriver servers) printed on stderr so far.
    pub fn app_log(&self) -> String {
        std::fs::read_to_string(self.home.join("app.log")).unwrap_or_default()
    }

    /// Saves a PNG of the window as `target/e2e-screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // WebKitWebDriver returns the last frame painted: let the page paint what the DOM
        // already holds (two animation frames) first, or the picture can show the step before.
        let _ = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await;
        let png = self.client.screenshot().await?;
        let path = self.screenshots.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Console errors and unhandled failures the page recorded (see `ui/src/main.ts`).
    pub async fn console_errors(&self) -> Result<Vec<String>> {
        let value = self
            .client
            .execute(
                "return window.__otentikErrors || ['the page did not start'];",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(value)?)
    }

    /// Fails if the page recorded any console error.
    pub async fn assert_no_console_errors(&self) -> Result<()> {
        let errors = self.console_errors().await?;
        if !errors.is_empty() {
            bail!("console errors in the webview: {errors:#?}");
        }
        Ok(())
    }

    /// Waits until `css` matches an element.
    pub async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element> {
        self.wait_for_within(css, Duration::from_secs(10)).await
    }

    /// Waits at most `limit` until `css` matches an element.
    pub async fn wait_for_within(
        &self,
        css: &str,
        limit: Duration,
    ) -> Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(limit)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element matches {css}"))
    }

    /// Waits until the page's text contains `text`.
    pub async fn wait_for_text(&self, text: &str) -> Result<()> {
        let start = Instant::now();
        loop {
            let body = self.client.find(Locator::Css("body")).await?.text().await?;
            if body.contains(text) {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(10) {
                bail!("the page never showed {text:?}; it shows:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the element `css` matches.
    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for(css).await?.click().await?;
        Ok(())
    }

    /// Replaces the text of the input `css` matches.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let input = self.wait_for(css).await?;
        input.clear().await?;
        if text.is_empty() {
            // WebDriver cannot type nothing; tell the page the field is empty, as typing would.
            self.client
                .execute(
                    "arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
                    vec![serde_json::to_value(&input)?],
                )
                .await?;
        } else {
            input.send_keys(text).await?;
        }
        Ok(())
    }

    /// Runs JavaScript in the page.
    pub async fn script(&self, code: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client.execute(code, args).await?)
    }

    /// The app's process id (found by its keyring service in the environment).
    pub fn app_pid(&self) -> Result<u32> {
        let needle = format!("OTENTIK_KEYRING_SERVICE={}", self.service);
        for entry in std::fs::read_dir("/proc")? {
            let entry = entry?;
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            if comm.trim() != "otentik-app" {
                continue;
            }
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            if environ.split(|b| *b == 0).any(|v| v == needle.as_bytes()) {
                return Ok(pid);
            }
        }
        bail!("the app's process was not found")
    }

    /// Ends the session (the app exits) and stops the driver and X.
    pub async fn stop(mut self) -> Result<()> {
        let result = self.client.clone().close().await;
        self.kill();
        result.map_err(Into::into)
    }

    fn kill(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    /// The private X display the app runs on.
    pub fn xvfb(&self) -> &xvfb::Display {
        &self.xvfb
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs the `otentik` CLI with `env`; its standard output.
fn run_cli(env: &[(String, String)], args: &[&str]) -> Result<String> {
    let output = Command::new(binary("otentik")?)
        .args(args)
        .envs(env.iter().cloned())
        .output()?;
    if !output.status.success() {
        bail!(
            "otentik {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// Environment of the app (and the CLI beside it) for a vault in `home` under `service`.
pub fn app_env(home: &Path, service: &str, display: &str) -> Vec<(String, String)> {
    let home_text = home.display().to_string();
    vec![
        ("HOME".into(), home_text.clone()),
        ("XDG_CONFIG_HOME".into(), format!("{home_text}/.config")),
        ("XDG_CACHE_HOME".into(), format!("{home_text}/.cache")),
        (
            "OTENTIK_DATA_DIR".into(),
            format!("{home_text}/otentik-data"),
        ),
        ("OTENTIK_KEYRING_SERVICE".into(), service.to_owned()),
        ("DISPLAY".into(), display.to_owned()),
        ("LANG".into(), "C.UTF-8".into()),
    ]
}

/// Resident memory (`VmRSS`) of a process and all its descendants (the WebKit web and network
/// processes), in kB, as (the process alone, the whole tree).
pub fn resident_kb(pid: u32) -> Result<(u64, u64)> {
    memory_kb(pid, "status", "VmRSS:")
}

/// Proportional set size (`Pss`: shared library pages divided among the processes that map
/// them) of a process and its descendants, in kB, as (the process alone, the whole tree).
pub fn proportional_kb(pid: u32) -> Result<(u64, u64)> {
    memory_kb(pid, "smaps_rollup", "Pss:")
}

fn memory_kb(pid: u32, file: &str, field: &str) -> Result<(u64, u64)> {
    let rss = |pid: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/{file}"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(field))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    };
    fn parent(pid: u32) -> Option<u32> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("PPid:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
    let own = rss(pid);
    let mut total = own;
    for entry in std::fs::read_dir("/proc")? {
        let Some(candidate) = entry?
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let mut cursor = parent(candidate);
        while let Some(p) = cursor {
            if p == pid {
                total += rss(candidate);
                break;
            }
            if p <= 1 {
                break;
            }
            cursor = parent(p);
        }
    }
    Ok((own, total))
}
