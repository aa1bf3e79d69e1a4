//! `cargo xtask regen`: writes every checked-in generated file again.
//! `cargo xtask check`: exits 1 if any is stale.

use std::process::ExitCode;

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let write = match task.as_str() {
        "regen" => true,
        "check" => false,
        _ => {
            eprintln!("usage: cargo xtask regen | check");
            return ExitCode::FAILURE;
        }
    };
    let mut ok = true;
    for g in xtask::CHECKED_IN {
        let result = g.generate().and_then(|code| {
            let path = xtask::workspace().join(g.path);
            let stale = std::fs::read_to_string(&path).ok().as_deref() != Some(code.as_str());
            if stale && write {
                std::fs::write(&path, code).map_err(|e| format!("{}: {e}", g.path))?;
            }
            Ok(stale)
        });
        match result {
            Ok(true) if write => println!("wrote {}", g.path),
            Ok(true) => {
                println!("stale {}", g.path);
                ok = false;
            }
            Ok(false) => println!("current {}", g.path),
            Err(e) => {
                eprintln!("error: {e}");
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
