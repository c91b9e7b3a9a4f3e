//! `tcodec check`: policy checks over payload files and histories, for CI.

use std::collections::BTreeMap;

use super::exit::ExitStatus;
use super::{CheckArgs, CheckFormat, Cli};
use crate::error::{Error, Result};
use crate::io;
use crate::rules::{check_tree, check_wire, Finding, Report, Rule, Rules};
use crate::units::plural;

/// Checks every input; exit 0 when clean, 1 on violations, worse on unreadable inputs.
pub fn run(cli: &Cli, args: &CheckArgs) -> Result<ExitStatus> {
    super::report_flag(args.output.as_deref())?;
    if args.merge {
        // Reports as files, directories or bucket prefixes (each shard wrote one there):
        // every file of a directory counts, whatever its name, unless --glob narrows it.
        let reports = super::inputs::expand(
            &args.input.inputs,
            Some(args.input.glob.as_deref().unwrap_or("*")),
            &Default::default(),
        )?;
        let paths: Vec<String> = reports.into_iter().map(|i| i.path).collect();
        return merge(&paths, args.format);
    }
    // With a remote codec the local configuration is optional; "encoded" then means the
    // encoding of the namespace's first local codec, when one is configured.
    let remote = args.remote.has_endpoint()?;
    let namespace = cli.namespace(args.namespace.as_deref());
    let codecs = match cli.load_config() {
        Ok(config) => {
            if !remote && !args.allow_fallback {
                fallback_only(&config, &namespace)?;
            }
            match config.codecs_for(&namespace) {
                Ok(codecs) => Some(codecs.to_vec()),
                Err(_) if remote => None,
                Err(e) => return Err(e),
            }
        }
        Err(_) if remote => None,
        Err(e) => return Err(e),
    };
    let outer = codecs.as_ref().and_then(|c| c.first().cloned());
    let outer_encoding = outer.as_ref().map(|c| c.encoding().to_string());
    // What the namespace's own codecs write: any other codec encoding is foreign to it.
    // Unknown with a remote codec (its encodings are the server's business).
    let known_encodings = codecs
        .as_ref()
        .filter(|_| !remote)
        .map(|c| c.iter().map(|c| c.encoding().to_string()).collect());
    let known_key_ids = codecs
        .as_ref()
        .filter(|_| !remote)
        .and_then(|c| known_key_ids(c));
    // A namespace whose outer stage encrypts always encodes: plaintext there is a leak.
    // Compression alone encodes only when smaller, so plaintext is normal there.
    let encrypts = remote || outer.as_ref().is_some_and(|c| c.encrypts());
    let require_encoded = args.require_encoded || (encrypts && !args.allow_plaintext);
    let pipeline = if args.no_decode {
        None
    } else {
        let options = crate::config::BuildOptions {
            identities: args.identities.clone(),
            deterministic: false,
        };
        Some(args.remote.pipeline(cli, &namespace, &options)?)
    };
    let policy = Rules {
        require_encoded,
        outer_encoding,
        allowed_key_ids: (!args.allow_key_id.is_empty()).then(|| args.allow_key_id.clone()),
        max_payload_size: args.max_payload_size,
        strict: args.strict,
        max_decoded_total: args.max_decoded_total,
        verify_storage: args.verify_storage,
        known_encodings,
        known_key_ids,
    };
    let options = args.input.read_options();
    let total = std::cell::RefCell::new(Report::default());
    let mut unchecked = Vec::new();
    let paths = args.input.files()?;
    // Binary exports are checked from the wire (no tree): the same sites, paths and rules,
    // one execution per core, each into its own report, merged in input order.
    let work = |sites: Vec<crate::document::wire::WireSite<'_>>| {
        let mut report = Report::default();
        check_wire(sites, &policy, pipeline.as_ref(), &mut report);
        report
    };
    let mut merge = |report: Report| total.borrow_mut().absorb(report);
    let (files, mut worst) = super::for_each_input(
        &paths,
        options,
        |tree| check_tree(tree, &policy, pipeline.as_ref(), &mut total.borrow_mut()),
        Some(super::SitesHandler {
            work: &work,
            merge: &mut merge,
        }),
        |name, e| unchecked.push(input_failure(name, e)),
    );
    let mut total = total.into_inner();
    // Inputs that could not be checked come first: they are the worst news.
    let inputs = files + unchecked.len();
    unchecked.append(&mut total.violations);
    total.violations = unchecked;
    let rules = rules_ran(
        &policy,
        pipeline.is_some(),
        encrypts && !args.require_encoded,
    );
    match args.format {
        CheckFormat::Text => print_text(&total, files, inputs, &rules),
        CheckFormat::Json => io::write_json_stdout(&json_report(&total, files, inputs, &rules))?,
    }
    if let Some(to) = &args.report_to {
        write_report(to, &json_report(&total, files, inputs, &rules))?;
    }
    if !total.violations.is_empty() {
        worst = worst.max(ExitStatus::Violations);
    }
    if total.payloads == 0 {
        if args.require_payloads {
            eprintln!("tcodec: error: the inputs hold no payload: nothing was checked (--require-payloads)");
            worst = worst.max(ExitStatus::Violations);
        } else if !cli.quiet {
            eprintln!("tcodec: warning: the inputs hold no payload: nothing was checked (--require-payloads makes this a failure)");
        }
    }
    Ok(worst)
}

/// Refuses a namespace that only the `*` fallback serves: `check -n defualt` must not pass
/// because a catch-all pipeline happens to accept its payloads.
/// The key ids and KEK URIs the namespace's codecs know, when that is the whole set: not
/// with a fallback key (it opens any id), nor without a codec that names keys.
pub(super) fn known_key_ids(codecs: &[crate::config::CodecConfig]) -> Option<Vec<String>> {
    use crate::config::CodecConfig;
    let mut ids = Vec::new();
    for codec in codecs {
        match codec {
            CodecConfig::AesGcm {
                fallback_key: Some(_),
                ..
            } => return None,
            CodecConfig::AesGcm { .. } => ids.extend(codec.key_ids().into_iter().map(String::from)),
            CodecConfig::Kms {
                kek, decrypt_keks, ..
            } => ids.extend(std::iter::once(kek).chain(decrypt_keks).cloned()),
            _ => {}
        }
    }
    (!ids.is_empty()).then_some(ids)
}

fn fallback_only(config: &crate::config::Config, namespace: &str) -> Result<()> {
    let fallback = crate::config::FALLBACK_NAMESPACE;
    let named = config.namespaces();
    if named.contains_key(namespace) || !named.contains_key(fallback) {
        return Ok(());
    }
    let configured: Vec<&str> = named
        .keys()
        .map(String::as_str)
        .filter(|n| *n != fallback)
        .collect();
    let hint = crate::units::nearest(namespace, configured.iter().copied())
        .map(|n| format!("did you mean {n:?}? "))
        .unwrap_or_default();
    Err(Error::Usage(format!(
        "namespace {namespace:?} is not configured by name; only the [namespaces.\"*\"] fallback would serve it (configured: {}): {hint}check the name, or pass --allow-fallback",
        if configured.is_empty() {
            "none".to_string()
        } else {
            configured.join(", ")
        }
    )))
}

/// A violation for an input that could not be read or parsed.
fn input_failure(name: &str, e: &Error) -> Finding {
    let rule = match e {
        Error::Io { .. } => Rule::Unreadable,
        _ => Rule::Malformed,
    };
    Finding {
        file: name.to_string(),
        line: None,
        path: String::new(),
        execution: None,
        rule,
        site: None,
        message: format!("not checked: {e}"),
    }
}

/// The rules this run applied, for the summary.
fn rules_ran(policy: &Rules, decoded: bool, plaintext_by_default: bool) -> Vec<String> {
    let mut rules = Vec::new();
    if policy.require_encoded {
        rules.push(if plaintext_by_default {
            "plaintext (the namespace encrypts)".to_string()
        } else {
            "plaintext".to_string()
        });
    }
    match (&policy.allowed_key_ids, &policy.known_key_ids) {
        (Some(ids), _) => {
            let ids: Vec<String> = ids.iter().map(|i| crate::codec::kms::shown(i)).collect();
            rules.push(format!("key-id ({})", ids.join(", ")));
        }
        (None, Some(_)) => rules.push("key-id (the namespace's keys)".into()),
        (None, None) => {}
    }
    rules.push(format!("size (<= {} bytes)", policy.max_payload_size));
    if decoded {
        rules.push("undecodable".into());
        if policy.outer_encoding.is_some() {
            rules.push("double-encoded".into());
        }
    }
    if policy.verify_storage {
        rules.push("storage objects (hash, encoding, key id, decodable)".into());
    }
    rules.push("malformed".into());
    if policy.known_encodings.is_some() {
        rules.push("foreign-encoding".into());
    }
    rules.push("unreadable".into());
    rules
}

fn print_text(report: &Report, files: usize, inputs: usize, rules: &[String]) {
    for v in &report.violations {
        println!("{}: {}: {}", where_(v), v.rule.name(), v.message);
    }
    let mut by_site: BTreeMap<&str, usize> = BTreeMap::new();
    let mut references = 0;
    let mut shown: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for n in &report.notices {
        if n.rule == Rule::Reference {
            references += 1;
            if let Some((_, names)) = n.message.split_once("; its object key shows ") {
                shown.extend(names.split(", "));
            }
            continue;
        }
        let site = site_label(n.site);
        *by_site.entry(site).or_default() += 1;
    }
    if !by_site.is_empty() {
        let parts: Vec<String> = by_site
            .iter()
            .map(|(site, n)| format!("{n} {site}"))
            .collect();
        println!(
            "notice: left plain as the SDKs do by default (not violations; --strict counts headers and marker data): {}",
            parts.join(", ")
        );
    }
    if references > 0 {
        let names: Vec<&str> = shown.into_iter().collect();
        println!(
            "notice: {references} external storage reference{} (allowed; --verify-storage fetches and checks their objects){}",
            plural(references),
            if names.is_empty() {
                String::new()
            } else {
                format!("; their object keys show in clear: {}", names.join(", "))
            }
        );
    }
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &report.violations {
        *by_rule.entry(v.rule.name()).or_default() += 1;
    }
    let detail = if by_rule.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = by_rule.iter().map(|(r, n)| format!("{n} {r}")).collect();
        format!(" ({})", parts.join(", "))
    };
    let of = if inputs == files {
        String::new()
    } else {
        format!(" of {inputs}")
    };
    println!(
        "checked {files}{of} file{}, {} payload{}: {} violation{}{detail}, {} notice{}; rules: {}",
        plural(inputs),
        report.payloads,
        plural(report.payloads),
        report.violations.len(),
        plural(report.violations.len()),
        report.notices.len(),
        plural(report.notices.len()),
        rules.join(", "),
    );
}

fn where_(f: &Finding) -> String {
    let mut s = f.file.clone();
    if let Some(line) = f.line {
        s.push_str(&format!(": line {line}"));
    }
    if let Some(execution) = &f.execution {
        s.push_str(&format!(" ({execution})"));
    }
    if !f.path.is_empty() {
        s.push_str(": ");
        s.push_str(&f.path);
    }
    s
}

/// A merged report as `check` prints its own: one line per violation, the notices by site,
/// then the totals.
fn merged_text(merged: &serde_json::Value, reports: usize) -> String {
    let mut out = String::new();
    let text = |v: &serde_json::Value, key: &str| v[key].as_str().unwrap_or_default().to_string();
    let empty = Vec::new();
    let violations = merged["violations"].as_array().unwrap_or(&empty);
    for v in violations {
        let mut at = text(v, "file");
        if let Some(line) = v["line"].as_u64() {
            at.push_str(&format!(": line {line}"));
        }
        if let Some(execution) = v["execution"].as_str() {
            at.push_str(&format!(" ({execution})"));
        }
        if !text(v, "path").is_empty() {
            at.push_str(&format!(": {}", text(v, "path")));
        }
        out.push_str(&format!(
            "{at}: {}: {}\n",
            text(v, "rule"),
            text(v, "message")
        ));
    }
    let mut by_site: BTreeMap<&str, usize> = BTreeMap::new();
    for n in merged["notices"].as_array().unwrap_or(&empty) {
        let site = if n["rule"].as_str() == Some("reference") {
            "external storage references"
        } else {
            site_label(n["site"].as_str())
        };
        *by_site.entry(site).or_default() += 1;
    }
    if !by_site.is_empty() {
        let parts: Vec<String> = by_site.iter().map(|(s, n)| format!("{n} {s}")).collect();
        out.push_str(&format!(
            "notice: not violations (left plain as the SDKs do by default, or references): {}\n",
            parts.join(", ")
        ));
    }
    let count = |key: &str| merged[key].as_u64().unwrap_or(0) as usize;
    let (files, inputs, payloads) = (count("files"), count("inputs"), count("payloads"));
    let notices = merged["notices"].as_array().map_or(0, Vec::len);
    let rules: Vec<&str> = merged["rules"]
        .as_array()
        .map(|r| r.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    let of = if inputs == files {
        String::new()
    } else {
        format!(" of {inputs}")
    };
    out.push_str(&format!(
        "merged {reports} report{}: checked {files}{of} file{}, {payloads} payload{}: {} violation{}, {notices} notice{}; rules: {}\n",
        plural(reports),
        plural(inputs),
        plural(payloads),
        violations.len(),
        plural(violations.len()),
        plural(notices),
        rules.join(", ")
    ));
    out
}

/// The notices line's name for the sites of a kind.
fn site_label(site: Option<&str>) -> &'static str {
    match site {
        Some("header") => "headers",
        Some("marker-data") => "local-activity marker data",
        Some("search-attribute") => "search attributes",
        _ => "payloads",
    }
}

/// `--report-to`: the JSON report as a file (atomically) or a bucket object, for
/// `check --merge` to read back (shards of one check on many machines).
fn write_report(to: &str, report: &serde_json::Value) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(report).map_err(|e| Error::Usage(e.to_string()))?;
    bytes.push(b'\n');
    if crate::storage::bucket::is_url(to) {
        return crate::storage::bucket::put(to, bytes).map_err(|why| Error::Bucket {
            what: format!("cannot write the report to {to}"),
            why,
        });
    }
    io::write_atomic(std::path::Path::new(to), &bytes)
}

fn json_report(
    report: &Report,
    files: usize,
    inputs: usize,
    rules: &[String],
) -> serde_json::Value {
    serde_json::json!({
        "ok": report.violations.is_empty() && files == inputs,
        "files": files,
        "inputs": inputs,
        "rules": rules,
        "payloads": report.payloads,
        "violations": report.violations,
        "notices": report.notices,
    })
}

/// `check --merge REPORT...`: the JSON reports of shards as one report. Totals add up,
/// findings are concatenated in the order given, the rules must be the same in every report
/// (shards of one check), and `ok` holds only when every report's does.
fn merge(reports: &[String], format: CheckFormat) -> Result<ExitStatus> {
    // The same report twice would count its shard twice.
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = reports.iter().find(|r| !seen.insert(r.as_str())) {
        return Err(Error::Usage(format!(
            "check --merge: {twice} is given twice: each shard's report counts once"
        )));
    }
    // No report is no proof: a merge of nothing fails, it does not pass.
    if reports.is_empty() {
        return Err(Error::Usage(
            "check --merge: the inputs hold no report (expected `check --output-format json` reports)".into(),
        ));
    }
    let mut merged = serde_json::json!({
        "ok": true, "files": 0, "inputs": 0, "rules": null, "payloads": 0,
        "violations": [], "notices": [],
    });
    for path in reports {
        let bytes = io::read_input(path)?;
        let report: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Usage(format!(
                "{path}: not a `check --output-format json` report ({e})"
            ))
        })?;
        let count = |key: &str| {
            report[key].as_u64().ok_or_else(|| {
                Error::Usage(format!(
                    "{path}: not a `check --output-format json` report (no {key:?})"
                ))
            })
        };
        for key in ["files", "inputs", "payloads"] {
            let n = count(key)?;
            merged[key] = (merged[key].as_u64().unwrap_or(0) + n).into();
        }
        if merged["rules"].is_null() {
            merged["rules"] = report["rules"].clone();
        } else if merged["rules"] != report["rules"] {
            return Err(Error::Usage(format!(
                "{path}: its rules differ from the first report's: these are not shards of one check"
            )));
        }
        merged["ok"] =
            (merged["ok"].as_bool() == Some(true) && report["ok"].as_bool() == Some(true)).into();
        for key in ["violations", "notices"] {
            let list = report[key].as_array().cloned().ok_or_else(|| {
                Error::Usage(format!(
                    "{path}: not a `check --output-format json` report ({key:?} is not a list)"
                ))
            })?;
            if let Some(all) = merged[key].as_array_mut() {
                all.extend(list);
            }
        }
    }
    match format {
        CheckFormat::Json => io::write_json_stdout(&merged)?,
        CheckFormat::Text => io::write_stdout(merged_text(&merged, reports.len()).as_bytes())?,
    }
    let violations = merged["violations"]
        .as_array()
        .is_some_and(|v| !v.is_empty());
    Ok(if violations || merged["ok"].as_bool() != Some(true) {
        ExitStatus::Violations
    } else {
        ExitStatus::Ok
    })
}
