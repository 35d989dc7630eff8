//! Compiles the build id (see `xtask/src/build_id.rs`) into `berth`.

#[path = "../xtask/src/build_id.rs"]
mod build_id;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server lives in the workspace");
    let id = build_id::compute(root).expect("reading the bundle's sources");
    println!("cargo:rustc-env=BERTH_BUILD_ID={id}");
    for input in build_id::INPUTS {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }
}
