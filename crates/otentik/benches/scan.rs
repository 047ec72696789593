//! QR decoding benchmark: Otentik's scan pipeline vs `zbarimg`, on the same images, in the
//! same run.
//!
//! ```text
//! cargo bench -p otentik --bench scan                    # pipeline vs zbarimg, every set
//! cargo bench -p otentik --bench scan -- --matrix        # every single attempt on its own
//! cargo bench -p otentik --bench scan -- --ladder 'rqrr:as-is,rxing:stretch'
//! ```
//!
//! Sets: `real` (the zxing-cpp photos copied into `tests/data/qr/real`), `synth`
//! (`../shared/qr-samples/synth` beside the repository, skipped when absent) and `generated`
//! (the synthetic frames the tests render, same seed). Times are per image: the pipeline's from
//! decoded pixels to payload; zbarimg's wall time of the whole process (start, file decoding
//! and all), so zbar's figures include a few milliseconds the pipeline's do not: the
//! "load+scan" column gives Otentik's time with file decoding for a fairer ratio.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use image::GrayImage;
use otentik::scan::{self, Attempt, Decoder, Frame, Prep, ScanOptions, Want};

#[path = "../tests/it/scan/synth.rs"]
#[allow(dead_code)]
mod synth;

/// One sample: the image (file path when there is one) and its expected text.
struct Sample {
    name: String,
    path: Option<PathBuf>,
    image: GrayImage,
    expected: String,
}

struct Set {
    name: &'static str,
    samples: Vec<Sample>,
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let matrix = args.iter().any(|a| a == "--matrix");
    let ladder = match args.iter().position(|a| a == "--ladder") {
        Some(i) => scan::parse_ladder(args.get(i + 1).map_or("", String::as_str)).unwrap(),
        None => scan::default_ladder(),
    };
    let only: Option<&str> = args
        .iter()
        .position(|a| a == "--set")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);

    let sets: Vec<Set> = load_sets()
        .into_iter()
        .filter(|s| only.is_none_or(|o| o == s.name))
        .collect();
    if matrix {
        for set in &sets {
            run_matrix(set);
        }
        if sets.len() > 1 {
            let pooled = Set {
                name: "pooled",
                samples: sets.into_iter().flat_map(|s| s.samples).collect(),
            };
            run_matrix(&pooled);
        }
        return;
    }
    println!(
        "ladder: {}",
        ladder
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let zbar = !args.iter().any(|a| a == "--no-zbar") && zbar_available();
    if !zbar && !args.iter().any(|a| a == "--no-zbar") {
        println!("zbarimg not found (apt-get install zbar-tools): zbar columns skipped");
    }
    println!(
        "{:<10} {:>5}  {:<22} {:>9} {:>8} {:>8} {:>16}",
        "set", "n", "decoder", "decoded", "median", "p95", "load+scan median"
    );
    for set in &sets {
        run_pipeline(set, &ladder, zbar);
    }
}

fn load_sets() -> Vec<Set> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sets = vec![Set {
        name: "real",
        samples: load_dir(&manifest.join("tests/data/qr/real")),
    }];
    let shared = manifest.join("../../../shared/qr-samples/synth");
    if shared.is_dir() {
        sets.push(Set {
            name: "synth",
            samples: load_dir(&shared),
        });
    } else {
        println!("{} absent: set 'synth' skipped", shared.display());
    }
    let generated = synth::generate(synth::SEED)
        .into_iter()
        .map(|frame| Sample {
            name: frame.name,
            path: None,
            image: frame.image,
            expected: frame.text,
        })
        .collect();
    sets.push(Set {
        name: "generated",
        samples: generated,
    });
    sets
}

/// Every `NAME.png|jpg` under `dir` with its `NAME.txt`.
fn load_dir(dir: &Path) -> Vec<Sample> {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e != "txt" && e != "jsonl" && e != "md")
        })
        .filter_map(|path| {
            let expected = std::fs::read_to_string(path.with_extension("txt")).ok()?;
            let image = scan::image_file::load(&path).ok()?;
            let name = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .display()
                .to_string();
            Some(Sample {
                name,
                path: Some(path),
                image,
                expected,
            })
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn options(ladder: Vec<Attempt>) -> ScanOptions {
    ScanOptions {
        want: Want::AnyText,
        budget: Duration::from_secs(10),
        ladder,
    }
}

fn run_pipeline(set: &Set, ladder: &[Attempt], zbar: bool) {
    let options = options(ladder.to_vec());
    let mut times = Vec::new();
    let mut load_times = Vec::new();
    let mut decoded = 0;
    let mut panics = 0;
    let mut by_rung = std::collections::BTreeMap::<String, usize>::new();
    let mut missed = Vec::new();
    for sample in &set.samples {
        let load_start = Instant::now();
        let loaded;
        let image = match &sample.path {
            Some(path) => {
                loaded = scan::image_file::load(path).unwrap();
                &loaded
            }
            None => &sample.image,
        };
        let start = Instant::now();
        let outcome = scan::scan(Frame::grey(image), &options);
        let end = Instant::now();
        times.push(end - start);
        load_times.push(end - load_start);
        panics += outcome.panics;
        if let Some(found) = outcome.found.iter().find(|f| f.text == sample.expected) {
            decoded += 1;
            *by_rung
                .entry(format!("{}:{}", found.decoder.name(), found.steps_name()))
                .or_default() += 1;
        } else {
            missed.push(sample.name.as_str());
        }
    }
    print_row(
        set.name,
        set.samples.len(),
        "otentik",
        decoded,
        &mut times,
        Some(&mut load_times),
    );
    let rungs: Vec<String> = by_rung.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!(
        "{:<17} found by: {}; decoder panics caught: {panics}",
        "",
        rungs.join(", ")
    );
    println!("{:<17} missed: {}", "", missed.join(" "));
    if zbar {
        let mut times = Vec::new();
        let mut decoded = 0;
        let tmp = std::env::temp_dir().join(format!("otentik-bench-{}.png", std::process::id()));
        for sample in &set.samples {
            let path = match &sample.path {
                Some(path) => path.clone(),
                None => {
                    sample.image.save(&tmp).unwrap();
                    tmp.clone()
                }
            };
            let start = Instant::now();
            let output = Command::new("zbarimg")
                .args(["--raw", "-q"])
                .arg(&path)
                .output();
            times.push(start.elapsed());
            if let Ok(output) = output {
                let text = String::from_utf8_lossy(&output.stdout);
                let text = text.strip_suffix('\n').unwrap_or(&text);
                if text == sample.expected || text.lines().any(|l| l == sample.expected) {
                    decoded += 1;
                }
            }
        }
        let _ = std::fs::remove_file(&tmp);
        print_row(
            set.name,
            set.samples.len(),
            "zbarimg (process)",
            decoded,
            &mut times,
            None,
        );
        // Throughput without process start-up: one zbarimg for every file of the set.
        let files: Vec<&PathBuf> = set.samples.iter().filter_map(|s| s.path.as_ref()).collect();
        if !files.is_empty() {
            let start = Instant::now();
            let _ = Command::new("zbarimg")
                .args(["--raw", "-q"])
                .args(&files)
                .output();
            let zbar_mean = start.elapsed() / files.len() as u32;
            let ours_mean = load_times.iter().sum::<Duration>() / load_times.len().max(1) as u32;
            println!(
                "{:<17} mean per image with file decoding, one process for the whole set: otentik {}, zbarimg {}",
                "",
                ms(ours_mean),
                ms(zbar_mean)
            );
        }
    }
}

fn print_row(
    set: &str,
    n: usize,
    decoder: &str,
    decoded: usize,
    times: &mut [Duration],
    load_times: Option<&mut [Duration]>,
) {
    let load = load_times.map_or("-".to_owned(), |t| ms(percentile(t, 50)));
    println!(
        "{:<10} {:>5}  {:<22} {:>5.1} %  {:>8} {:>8} {:>16}",
        set,
        n,
        decoder,
        100.0 * decoded as f64 / n.max(1) as f64,
        ms(percentile(times, 50)),
        ms(percentile(times, 95)),
        load
    );
}

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times.sort();
    times[((times.len() - 1) * p + 50) / 100]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn zbar_available() -> bool {
    Command::new("zbarimg")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Every candidate attempt alone on every image: rate and median time, then the ladder a
/// greedy choice (most new images per millisecond) would build.
fn run_matrix(set: &Set) {
    use Decoder::{Rqrr, Rxing, RxingGlobal};
    let preps: &[&[Prep]] = &[
        &[],
        &[Prep::Half],
        &[Prep::Double],
        &[Prep::Stretch],
        &[Prep::Threshold],
        &[Prep::Invert],
        &[Prep::Smooth],
        &[Prep::Half, Prep::Stretch],
        &[Prep::Half, Prep::Threshold],
        &[Prep::Stretch, Prep::Threshold],
        &[Prep::Smooth, Prep::Threshold],
        &[Prep::Double, Prep::Smooth],
        &[Prep::Double, Prep::Threshold],
    ];
    let mut attempts = Vec::new();
    for decoder in [Rqrr, Rxing, RxingGlobal] {
        for steps in preps {
            attempts.push(Attempt::new(decoder, steps));
        }
    }
    println!("== {} ({} images) ==", set.name, set.samples.len());
    // success[a][i], time[a][i]
    let mut success = vec![vec![false; set.samples.len()]; attempts.len()];
    let mut time = vec![vec![Duration::ZERO; set.samples.len()]; attempts.len()];
    let mut panics = vec![0usize; attempts.len()];
    for (a, attempt) in attempts.iter().enumerate() {
        let options = options(vec![attempt.clone()]);
        for (i, sample) in set.samples.iter().enumerate() {
            let start = Instant::now();
            let outcome = scan::scan(Frame::grey(&sample.image), &options);
            time[a][i] = start.elapsed();
            panics[a] += outcome.panics;
            success[a][i] = outcome.found.iter().any(|f| f.text == sample.expected);
        }
        let n = success[a].iter().filter(|s| **s).count();
        let mut t = time[a].clone();
        println!(
            "{:<28} {:>4}/{:<4} median {:>9} p95 {:>9}  panics {}",
            attempt.to_string(),
            n,
            set.samples.len(),
            ms(percentile(&mut t, 50)),
            ms(percentile(&mut t, 95)),
            panics[a]
        );
    }
    let missed: Vec<&str> = (0..set.samples.len())
        .filter(|&i| !success.iter().any(|s| s[i]))
        .map(|i| set.samples[i].name.as_str())
        .collect();
    println!(
        "decoded by no attempt ({}): {}",
        missed.len(),
        missed.join(" ")
    );
    for decoder in [Rqrr, Rxing, RxingGlobal] {
        let only: Vec<&str> = (0..set.samples.len())
            .filter(|&i| {
                let by = |d: Decoder| {
                    (0..attempts.len()).any(|a| attempts[a].decoder == d && success[a][i])
                };
                by(decoder)
                    && [Rqrr, Rxing, RxingGlobal]
                        .iter()
                        .all(|&o| o == decoder || !by(o))
            })
            .map(|i| set.samples[i].name.as_str())
            .collect();
        println!(
            "decoded only by {} ({}): {}",
            decoder.name(),
            only.len(),
            only.join(" ")
        );
    }
    // Greedy ladder.
    let mut covered = vec![false; set.samples.len()];
    let mut ladder = Vec::new();
    loop {
        let best = (0..attempts.len())
            .filter(|a| !ladder.contains(a))
            .map(|a| {
                let gain = (0..covered.len())
                    .filter(|&i| !covered[i] && success[a][i])
                    .count();
                let cost: Duration = (0..covered.len())
                    .filter(|&i| !covered[i])
                    .map(|i| time[a][i])
                    .sum();
                (a, gain, cost)
            })
            .filter(|(_, gain, _)| *gain > 0)
            .max_by(|x, y| {
                let rx = x.1 as f64 / (x.2.as_secs_f64() + 1e-6);
                let ry = y.1 as f64 / (y.2.as_secs_f64() + 1e-6);
                rx.total_cmp(&ry)
            });
        let Some((a, gain, _)) = best else { break };
        for (i, c) in covered.iter_mut().enumerate() {
            *c |= success[a][i];
        }
        ladder.push(a);
        println!("greedy +{gain:<3} {}", attempts[a]);
    }
}
