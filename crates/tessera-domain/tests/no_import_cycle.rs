//! The domain's modules form no import cycle: each file is a node, each `crate::…` path it mentions an
//! edge to the file that defines that module. A parent declaring its children is not an edge (that is
//! what `mod` does); any other mention is, including a child naming its parent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`services::sso`) → source text, for every file under `src/`.
fn modules(src: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, src, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                    parts.pop();
                }
                out.insert(parts.join("::"), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    out
}

/// The modules `source` (the module `me`) refers to: `crate::a::b::Item` resolves to the longest
/// known module prefix; `super::x` is resolved against `me` first.
fn references(me: &str, source: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = me.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
    let mut paths = Vec::new();
    for (i, _) in source.match_indices("crate::") {
        paths.extend(paths_at(&source[i + "crate::".len()..]));
    }
    for (i, _) in source.match_indices("super::") {
        for rest in paths_at(&source[i + "super::".len()..]) {
            paths.push(if parent.is_empty() {
                rest
            } else {
                format!("{parent}::{rest}")
            });
        }
    }
    let mut out = BTreeSet::new();
    for path in paths {
        let mut best = String::new();
        let mut prefix = String::new();
        for seg in path.split("::") {
            prefix = if prefix.is_empty() {
                seg.to_string()
            } else {
                format!("{prefix}::{seg}")
            };
            if known.contains(&prefix) {
                best = prefix.clone();
            }
        }
        if !best.is_empty() && best != me {
            out.insert(best);
        }
    }
    out
}

/// The path at the start of `text`; `a::{b::C, d}` gives `a::b::C` and `a::d` (one level of braces).
fn paths_at(text: &str) -> Vec<String> {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let head: String = text.chars().take_while(|c| ident(*c)).collect();
    let rest = &text[head.len()..];
    let head = head.trim_end_matches(':').to_string();
    if !head.is_empty() && !rest.starts_with('{') {
        return vec![head];
    }
    let Some(inner) = rest.strip_prefix('{').and_then(|r| r.split('}').next()) else {
        return vec![head];
    };
    inner
        .split(',')
        .map(|name| name.trim().split(' ').next().unwrap_or_default())
        .filter(|name| !name.is_empty() && *name != "self")
        .map(|name| format!("{head}::{name}"))
        .chain(std::iter::once(head.clone()))
        .collect()
}

fn is_descendant(child: &str, parent: &str) -> bool {
    parent.is_empty() || child.starts_with(&format!("{parent}::"))
}

#[test]
fn the_domain_modules_form_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (me, source) in &modules {
        let targets = references(me, source, &known)
            .into_iter()
            .filter(|t| !is_descendant(t, me))
            .collect();
        edges.insert(me, targets);
    }
    assert!(
        modules.len() > 20 && edges.values().any(|t| !t.is_empty()),
        "the scan found the modules and their imports"
    );

    // Depth-first search; a grey node met again closes a cycle.
    fn visit<'a>(
        node: &'a str,
        edges: &'a BTreeMap<&'a str, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(node, 1);
        stack.push(node);
        for next in edges.get(node).into_iter().flatten() {
            let next = edges.get_key_value(next.as_str()).map(|(k, _)| *k)?;
            match state.get(next) {
                Some(1) => {
                    let start = stack.iter().position(|n| *n == next).unwrap();
                    let mut cycle: Vec<String> =
                        stack[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(next.to_string());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node, 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node) {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(node, &edges, &mut state, &mut stack) {
                panic!("import cycle: {}", cycle.join(" -> "));
            }
        }
    }
}
