//! A timing loop for the `spec_file` fuzz harness over its saved corpus
//! (`fuzz/corpus/spec_file/`), phase by phase. Ignored: it measures, it checks nothing. Run it
//! in release, on a quiet machine if there is one:
//!
//! ```sh
//! cargo test --release -p bitrix-tests --test fuzz_speed -- --ignored --nocapture
//! ```
//!
//! `FUZZ_SPEED_ROUNDS` (default 5) sets how many times the corpus is run.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

#[test]
#[ignore = "a timing loop: run by hand in release (see the module doc)"]
fn spec_file_executions_per_second() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/spec_file");
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    inputs.sort();
    let rounds: usize = std::env::var("FUZZ_SPEED_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);

    // The first execution pays for what the harness keeps for the process.
    let start = Instant::now();
    bitrix_tests::fuzz::spec_file(b"");
    println!("first execution (one-time setup): {:?}", start.elapsed());

    let mut phases: BTreeMap<&'static str, Duration> = BTreeMap::new();
    let mut per_input: Vec<(Duration, &str)> = Vec::new();
    let mut passed = 0;
    let start = Instant::now();
    for round in 0..rounds {
        for (name, data) in &inputs {
            let t0 = Instant::now();
            let mut last = t0;
            let ok = bitrix_tests::fuzz::spec_file_laps(data, &mut |phase| {
                let now = Instant::now();
                *phases.entry(phase).or_default() += now - last;
                last = now;
            });
            if round == 0 {
                passed += usize::from(ok);
                per_input.push((t0.elapsed(), name));
            }
        }
    }
    let total = start.elapsed();
    let runs = rounds * inputs.len();
    println!(
        "{runs} executions ({} inputs x {rounds}) in {total:?}: {:.0} per second, {passed} inputs pass the check",
        inputs.len(),
        runs as f64 / total.as_secs_f64()
    );
    for (phase, spent) in &phases {
        println!(
            "  {phase:<10} {:>10.3} ms per execution ({:.0}%)",
            spent.as_secs_f64() * 1000.0 / runs as f64,
            100.0 * spent.as_secs_f64() / total.as_secs_f64()
        );
    }
    per_input.sort();
    println!("slowest inputs (first round):");
    for (spent, name) in per_input.iter().rev().take(5) {
        println!("  {spent:>12?} {name}");
    }
}
