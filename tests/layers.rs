//! The structure holds (issue #21): every `crate::` import runs down the layers listed in
//! the README's "Layout" section (or within a layer), no two top-level modules import each
//! other, and no files of one folder import each other in a circle. Read from the sources
//! as text: `use crate::...` lines and `crate::x::` paths outside test modules and comments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, top first, from the README's fenced `layers` block.
fn layers() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let block = readme
        .split("```layers\n")
        .nth(1)
        .expect("README has a ```layers block")
        .split("```")
        .next()
        .unwrap();
    block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The source without its test module and comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `src/document/scan.rs` -> ("document", "document/scan").
fn names(src: &Path, path: &Path) -> (String, String) {
    let rel = path.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    let mut file: Vec<String> = parts.clone();
    if matches!(file.last().map(String::as_str), Some("mod")) {
        file.pop();
    }
    (parts[0].clone(), file.join("/"))
}

/// The `crate::a::b` paths a file names (`use crate::{a, b::c}` groups included).
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let ident = |s: &str| {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap();
            for item in inner.split(',') {
                let first = ident(item.trim());
                if !first.is_empty() {
                    out.push(vec![first]);
                }
            }
            continue;
        }
        let mut path = vec![ident(rest)];
        let after = &rest[path[0].len()..];
        if let Some(next) = after.strip_prefix("::") {
            let second = ident(next);
            if !second.is_empty() {
                path.push(second);
            }
        }
        out.push(path);
    }
    out
}

#[test]
fn imports_run_down_the_layers_without_cycles() {
    let src = common::root().join("src");
    let layers = layers();
    let layer_of: BTreeMap<String, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, names)| names.iter().map(move |n| (n.clone(), i)))
        .collect();
    let mut upward = Vec::new();
    let mut modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let all_files: BTreeSet<String> = rust_files(&src).iter().map(|p| names(&src, p).1).collect();
    for path in rust_files(&src) {
        let (module, file) = names(&src, &path);
        if module == "lib" {
            continue; // lib.rs declares every module
        }
        let from = *layer_of
            .get(&module)
            .unwrap_or_else(|| panic!("src/{module} is in no layer of the README's list"));
        let code = code(&path);
        for target in crate_paths(&code) {
            let to_module = &target[0];
            if to_module == &module || to_module.is_empty() {
                if let Some(second) = target.get(1) {
                    let sibling = format!("{module}/{second}");
                    if all_files.contains(&sibling) && sibling != file {
                        files.entry(file.clone()).or_default().insert(sibling);
                    }
                }
                continue;
            }
            let Some(&to) = layer_of.get(to_module) else {
                continue; // a macro or an item of lib.rs
            };
            if to < from {
                upward.push(format!(
                    "src/{file}.rs imports crate::{} (layer {to} above {from})",
                    target.join("::")
                ));
            }
            modules
                .entry(module.clone())
                .or_default()
                .insert(to_module.clone());
        }
        for (i, _) in code.match_indices("super::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let parent = file.rsplit_once('/').map_or("", |(p, _)| p);
            let sibling = if parent.is_empty() {
                name.clone()
            } else {
                format!("{parent}/{name}")
            };
            // `super::x` from a folder's mod.rs means the parent; only sibling files count.
            if !file.ends_with(&format!("/{name}"))
                && all_files.contains(&sibling)
                && sibling != file
                && !path.ends_with("mod.rs")
            {
                files.entry(file.clone()).or_default().insert(sibling);
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that run up:\n{}",
        upward.join("\n")
    );
    for (what, graph) in [("modules", &modules), ("files", &files)] {
        if let Some(cycle) = find_cycle(graph) {
            panic!(
                "{what} import each other in a circle: {}",
                cycle.join(" -> ")
            );
        }
    }
}

/// A circle in `graph`, if any (depth-first search).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["a".to_string()])),
    ]
    .into();
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    let line: BTreeMap<String, BTreeSet<String>> =
        [("a".to_string(), BTreeSet::from(["b".to_string()]))].into();
    assert_eq!(find_cycle(&line), None);
}

/// One job per file: no file under src/ holds more than 600 lines before its tests.
#[test]
fn no_source_file_is_over_600_lines_of_code() {
    let src = common::root().join("src");
    let long: Vec<String> = rust_files(&src)
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            let lines = code.lines().count();
            (lines > 600).then(|| format!("{} ({lines} lines)", path.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

#[test]
fn the_scanners_give_up_stays_inside_document() {
    // `Error::ScanGaveUp` is the driver's own control flow: only `document/` makes or
    // matches it (error.rs defines it, the exit-code table must name every variant).
    let src = common::root().join("src");
    let leaks: Vec<String> = rust_files(&src)
        .into_iter()
        .filter(|path| {
            let rel = path.strip_prefix(&src).unwrap();
            !rel.starts_with("document")
                && rel != Path::new("error.rs")
                && rel != Path::new("cli/exit.rs")
                && code(path).contains("ScanGaveUp")
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        leaks.is_empty(),
        "ScanGaveUp used outside document/: {leaks:?}"
    );
}
