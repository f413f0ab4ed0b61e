//! Embeds every codelist CSV under data/codelists/ so the library (and the
//! WASM module) carries its codelists with it: see `codes::builtin_file`.

use std::{env, fs, path::Path};

fn collect(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("read data/codelists").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "csv") {
            let rel = path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
            out.push(rel);
        }
    }
}

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").unwrap();
    let base = Path::new(&root).join("data/codelists");
    let mut files = Vec::new();
    collect(&base, &base, &mut files);
    let mut code = String::from("pub static CODELIST_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        code.push_str(&format!(
            "    ({f:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/data/codelists/{f}\"))),\n"
        ));
    }
    code.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("codelist_files.rs"), code).unwrap();
    println!("cargo:rerun-if-changed=data/codelists");
}
