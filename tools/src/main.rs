//! The `bitrix-tools` command: check, generate, render, drift, import.

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage:
  bitrix-tools check [SPEC_DIR]              check the spec (exit 0 clean, 1 problems, 2 usage/IO)
  bitrix-tools generate [--check] [--spec DIR] [--root DIR]
                                             write the generated code into the workspace at
                                             --root (default: spec into .); --check only
                                             compares (exit 0 current, 1 out of date or problems)
  bitrix-tools render [--spec DIR] NAME      print the generated Rust of one method or event
  bitrix-tools drift --docs DIR [--spec DIR] [--only PREFIX...] [--format text|json]
  bitrix-tools import --docs DIR [--out DIR] [--force] METHOD_OR_EVENT...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]),
        Some("generate") => generate(&args[1..]),
        Some("render") => render(&args[1..]),
        Some("drift") => bitrix_tools::drift::cli(&args[1..]),
        Some("import") => bitrix_tools::import::cli(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            0
        }
        _ => {
            eprintln!("{USAGE}");
            2
        }
    };
    ExitCode::from(code)
}

fn check(args: &[String]) -> u8 {
    let dir = match args {
        [] => "spec",
        [d] => d.as_str(),
        _ => {
            eprintln!("{USAGE}");
            return 2;
        }
    };
    if !Path::new(dir).is_dir() {
        eprintln!("bitrix-tools: {dir}: not a directory");
        return 2;
    }
    match bitrix_codegen::Generator::new(dir).check() {
        Ok(api) => {
            let n: usize = api.namespaces.values().map(|ns| ns.methods.len()).sum();
            let e: usize = api.namespaces.values().map(|ns| ns.events.len()).sum();
            println!(
                "{dir}: ok ({n} methods and {e} events in {} namespaces)",
                api.namespaces.len()
            );
            0
        }
        Err(diags) => {
            eprint!("{}", bitrix_codegen::diag::report(&diags));
            eprintln!("{} problem(s)", diags.len());
            1
        }
    }
}

/// `generate`: writes (or with `--check` compares) the generated files under the workspace
/// root, each where `bitrix_codegen::layout` puts it.
fn generate(args: &[String]) -> u8 {
    let (mut spec, mut out, mut only_check) = ("spec", ".", false);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match (arg.as_str(), rest.clone().next()) {
            ("--check", _) => only_check = true,
            ("--spec", Some(d)) => {
                spec = d;
                rest.next();
            }
            ("--root", Some(d)) => {
                out = d;
                rest.next();
            }
            _ => {
                eprintln!("{USAGE}");
                return 2;
            }
        }
    }
    if !Path::new(spec).is_dir() {
        eprintln!(
            "bitrix-tools: {spec}: not a directory (run from the workspace root, or pass --spec)"
        );
        return 2;
    }
    let generator = bitrix_codegen::Generator::new(spec);
    let outcome = if only_check {
        generator.outdated(Path::new(out)).map(|stale| {
            for file in &stale {
                eprintln!("{file}");
            }
            if stale.is_empty() {
                println!("the generated code under {out} is current with {spec}");
                0
            } else {
                eprintln!(
                    "{} generated file(s) under {out} out of date with {spec}; run `cargo run -p bitrix-tools -- generate`",
                    stale.len()
                );
                1
            }
        })
    } else {
        generator.write(Path::new(out)).map(|done| {
            for path in &done.written {
                println!("wrote {}", path.display());
            }
            for path in &done.removed {
                println!("removed {}", path.display());
            }
            if done.written.is_empty() && done.removed.is_empty() {
                println!("the generated code under {out} is already current with {spec}");
            }
            0
        })
    };
    outcome.unwrap_or_else(|diags| {
        eprint!("{}", bitrix_codegen::diag::report(&diags));
        eprintln!("{} problem(s)", diags.len());
        1
    })
}

fn render(args: &[String]) -> u8 {
    let (spec, method) = match args {
        [m] => ("spec", m),
        [flag, d, m] if flag == "--spec" => (d.as_str(), m),
        _ => {
            eprintln!("{USAGE}");
            return 2;
        }
    };
    let api = match bitrix_codegen::Generator::new(spec).check() {
        Ok(api) => api,
        Err(diags) => {
            eprint!("{}", bitrix_codegen::diag::report(&diags));
            return 1;
        }
    };
    match bitrix_codegen::render::method(&api, method)
        .or_else(|| bitrix_codegen::render::event(&api, method))
    {
        Some(Ok(code)) => {
            print!("{code}");
            0
        }
        Some(Err(e)) => {
            eprintln!("bitrix-tools: {e}");
            1
        }
        None => {
            eprintln!("bitrix-tools: no method or event {method} in {spec}");
            2
        }
    }
}
