//! The browser bundle: the hydrate crate compiled to wasm32, its JavaScript
//! bindings generated in-process (wasm-bindgen, pinned to the lock file's
//! version), then shrunk for the wire: wasm-bindgen drops the function-name
//! and producers sections (half the file, needed only by debuggers), and
//! binaryen's `wasm-opt` optimises for size. wasm-opt comes from npm's
//! `binaryen`, pinned in `frontend/package-lock.json`: Debian 12's binaryen
//! (version 108) exports the wrong table from wasm-bindgen's output, and
//! the page then fails to hydrate.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

use crate::{cargo, run, step};

const TARGET: &str = "wasm32-unknown-unknown";

pub struct Bundle {
    /// The JavaScript glue (`berth.js`): loads the wasm and binds it.
    pub glue: String,
    pub wasm: Vec<u8>,
    /// The wasm's size after each step, for the build's summary.
    pub steps: Vec<(&'static str, usize)>,
}

/// Builds the bundle; `env` reaches the crate's compilation (`option_env!`).
pub fn build(root: &Path, env: &[(&str, &str)]) -> Result<Bundle> {
    ensure_target()?;
    step("building the browser bundle (wasm32, size-optimised)");
    run(cargo()
        .args([
            "build",
            "--package",
            "berth-frontend",
            "--target",
            TARGET,
            "--profile",
            "wasm-release",
        ])
        .envs(env.iter().copied()))?;
    let compiled = root
        .join("target")
        .join(TARGET)
        .join("wasm-release/berth_frontend.wasm");
    let mut steps = vec![("compiled", std::fs::metadata(&compiled)?.len() as usize)];

    step("generating JavaScript bindings (wasm-bindgen)");
    let mut output = wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&compiled)
        .web(true)?
        .typescript(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .out_name("berth")
        .generate_output()
        .context("wasm-bindgen failed")?;
    if output.snippets().values().any(|s| !s.is_empty()) || !output.local_modules().is_empty() {
        bail!("the bundle now has JavaScript snippets: lay them out in target/site too (xtask/src/main.rs)");
    }
    let glue = output.js().to_string();
    let bound = output.wasm_mut().emit_wasm();
    steps.push(("bindings, names stripped", bound.len()));

    let wasm = wasm_opt(root, &bound)?;
    steps.push(("wasm-opt -Oz", wasm.len()));
    Ok(Bundle { glue, wasm, steps })
}

const WASM_OPT: &[&str] = &["-Oz", "--strip-debug", "--strip-producers"];

/// `wasm-opt -Oz`, cached by what goes in (the wasm, the tool's version,
/// the flags): it takes half a minute and most builds leave the wasm as it
/// was.
fn wasm_opt(root: &Path, wasm: &[u8]) -> Result<Vec<u8>> {
    let binaryen = root.join("frontend/node_modules/binaryen");
    let version =
        std::fs::read(binaryen.join("package.json")).context("binaryen is not installed (npm ci in frontend/)")?;
    let cache = root.join("target/wasm-opt");
    let input = cache.join("input.wasm");
    let key = crate::layout::hash(&[wasm, &version, WASM_OPT.join(" ").as_bytes()]);
    let output = cache.join(format!("{key}.wasm"));
    if let Ok(optimised) = std::fs::read(&output) {
        return Ok(optimised);
    }
    step("optimising the bundle for size (wasm-opt -Oz)");
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::create_dir_all(&cache)?;
    std::fs::write(&input, wasm)?;
    let partial = output.with_extension("partial");
    // Features are detected from the module's target_features section.
    run(Command::new(binaryen.join("bin/wasm-opt"))
        .args(WASM_OPT)
        .arg(&input)
        .arg("-o")
        .arg(&partial))?;
    std::fs::rename(&partial, &output)?;
    std::fs::remove_file(&input)?;
    Ok(std::fs::read(&output)?)
}

fn ensure_target() -> Result<()> {
    let out = Command::new("rustup").args(["target", "list", "--installed"]).output();
    match out {
        Ok(out) if String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == TARGET) => Ok(()),
        Ok(_) => {
            step(&format!("adding the {TARGET} target"));
            run(Command::new("rustup").args(["target", "add", TARGET]))
        }
        Err(_) => {
            step(&format!(
                "rustup not found; assuming the {TARGET} standard library is installed"
            ));
            Ok(())
        }
    }
}
