//! The command line, run as a user would run it.

use std::path::Path;
use std::process::Command;

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cohort-finder")).args(args).output().expect("the binary runs")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cohort-finder-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn synth_then_analyse_gives_a_complete_report() {
    let dir = temp_dir("synth");
    let d = dir.to_str().unwrap();
    let out = cli(&["synth", "--patients", "2000", "--seed", "3", "--out", d, "--extract-date", "2026-11-23"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let patients = format!("{d}/patients.csv");
    let events = format!("{d}/events.csv");
    let out = cli(&["analyse", "--patients", &patients, "--events", &events, "--as-of", "2026-11-23"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["input", "population", "cohorts", "segments", "efi", "breakdowns"] {
        assert!(report.get(key).is_some(), "no {key}");
    }
    assert_eq!(report["input"][&patients]["read"], 2000);
    assert_eq!(report["input"][&patients]["accepted"], 2000);
    let segmented: u64 = report["segments"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(segmented, report["population"]["current"].as_u64().unwrap());
    for group in ["1", "5", "not_recorded"] {
        assert!(report["breakdowns"]["imd_quintile"].get(group).is_some());
    }

    let lists = format!("{d}/lists");
    let out = cli(&[
        "analyse",
        "--patients",
        &patients,
        "--events",
        &events,
        "--as-of",
        "2026-11-23",
        "--format",
        "csv",
        "--out",
        &lists,
    ]);
    assert!(out.status.success());
    let worklist = std::fs::read_to_string(Path::new(&lists).join("smi_health_checks.csv")).unwrap();
    assert!(worklist.starts_with("patient_id,nhs_number,name,age,sex,ethnicity_group,imd_quintile,core20,segment,ltc_count,missing_checks,checks_done,optional_checks,reasons\r\n"));
    let listed = report["cohorts"]["smi_health_checks"]["count"].as_u64().unwrap() as usize;
    assert_eq!(worklist.lines().count(), listed + 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_settings_and_missing_files_fail_with_a_message() {
    let out = cli(&["analyse", "--patients", "no-such.csv", "--events", "no-such-either.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such.csv"));

    let out = cli(&["definitions", "--set", "case_finding_min_age=forty"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("'case_finding_min_age' takes a value like 40, not \"forty\""), "{stderr}");
}

#[test]
fn definitions_show_a_clusters_codes() {
    let out = cli(&["definitions", "--cluster", "ld_health_check"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "code,term,system\n69DB.,\"Learning disability health examination\",Read v2\n"
    );
}

#[test]
fn summary_compare_and_risk_run_as_documented() {
    let dir = temp_dir("pcn");
    let d = dir.to_str().unwrap();
    let out = cli(&[
        "synth",
        "--patients",
        "800",
        "--seed",
        "5",
        "--deprivation",
        "mixed",
        "--practice-code",
        "Y00009",
        "--out",
        d,
        "--extract-date",
        "2026-11-23",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (patients, events) = (format!("{d}/patients.csv"), format!("{d}/events.csv"));
    let summary = format!("{d}/y9.json");
    let base = ["--patients", patients.as_str(), "--events", events.as_str(), "--as-of", "2026-11-23"];
    let out = cli(&[&["summary"][..], &base, &["--out", &summary]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(file["practices"][0]["code"], "Y00009", "the practice code comes from the file's column");
    assert_eq!(file["disclosure"]["exact"], false);

    // The shared summary beside the same practice read exactly: one code, so the extract replaces it.
    let extract = format!("{patients},{events}");
    let out = cli(&["compare", "--summary", &summary, "--extract", &extract, "--as-of", "2026-11-23"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(table["practices"].as_array().unwrap().len(), 1);
    assert_eq!(table["practices"][0]["source"], "extract");
    let out = cli(&["compare", "--summary", &summary, "--funnel", "no_such"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no practice in the comparison has the indicator 'no_such'"));
    let out = cli(&["compare", "--extract", &patients]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--extract takes PATIENTS,EVENTS"));

    // 800 patients have too few admissions to fit: refused in words, no scores.
    let out = cli(&[&["risk"][..], &base].concat());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("the model needs at least 130 (10 per term) to be fitted honestly, so no risk scores are shown"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn analyse_reads_fhir_files_and_folders_as_it_reads_csv() {
    let fx = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fhir");
    let (bulk, intl, mixed, uk) = (
        format!("{fx}/bulk"),
        format!("{fx}/international_bundle.json"),
        format!("{fx}/mixed.ndjson"),
        format!("{fx}/uk_core_bundle.json"),
    );
    let out = cli(&["analyse", "--fhir", &bulk, &intl, &mixed, &uk, "--as-of", "2026-11-23"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fhir: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (patients, events) = (format!("{fx}/csv/patients.csv"), format!("{fx}/csv/events.csv"));
    let out = cli(&["analyse", "--patients", &patients, "--events", &events, "--as-of", "2026-11-23"]);
    let csv: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(fhir["cohorts"], csv["cohorts"]);
    // The folder is walked in sorted order: Patient.ndjson comes last.
    let files: Vec<&String> = fhir["input"].as_object().unwrap().keys().collect();
    assert_eq!(files.len(), 8);
    assert!(files[4].ends_with("bulk/Patient.ndjson"), "{files:?}");
    assert_eq!(fhir["input"][&uk]["kind"], "fhir");
    assert_eq!(fhir["unmapped_codes"]["unmapped"], 3);

    let both = cli(&["analyse", "--patients", &patients, "--events", &events, "--fhir", &uk]);
    assert!(!both.status.success());
    assert!(
        String::from_utf8_lossy(&both.stderr).contains("cannot be used with"),
        "{}",
        String::from_utf8_lossy(&both.stderr)
    );
    let neither = cli(&["summary"]);
    assert_eq!(
        String::from_utf8_lossy(&neither.stderr),
        "cohort-finder: give the extract: --patients FILE --events FILE..., --fhir PATH... or --wide FILE --profile FILE\n"
    );
}

#[test]
fn a_wide_report_reads_through_its_profile_and_synth_writes_fhir() {
    let fx = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wide");
    let (report, profile) = (format!("{fx}/smi-report.csv"), format!("{fx}/smi-report.toml"));
    let out = cli(&["analyse", "--wide", &report, "--profile", &profile, "--as-of", "2026-11-23"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let smi: Vec<&str> = r["cohorts"]["smi_register"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["patient_id"].as_str().unwrap())
        .collect();
    assert_eq!(smi, ["W1", "W2", "W5"]);
    assert_eq!(r["input"][&report]["kind"], "report");

    let dir = temp_dir("bad-profile");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[column]]\nheader = \"X\"\nkind = \"date\"\ncluster = \"nope\"\n").unwrap();
    let out = cli(&["analyse", "--wide", &report, "--profile", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("cohort-finder: {}: 'X': there is no cluster 'nope'\n", bad.display())
    );
    assert!(!cli(&["analyse", "--wide", &report]).status.success(), "--wide needs --profile");

    let out = cli(&[
        "synth",
        "--patients",
        "50",
        "--out",
        dir.to_str().unwrap(),
        "--fhir",
        "bundle",
        "--extract-date",
        "2026-11-23",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bundle = dir.join("bundle.json");
    let from_fhir = cli(&["analyse", "--fhir", bundle.to_str().unwrap(), "--as-of", "2026-11-23"]);
    let (p, e) = (dir.join("patients.csv"), dir.join("events.csv"));
    let from_csv =
        cli(&["analyse", "--patients", p.to_str().unwrap(), "--events", e.to_str().unwrap(), "--as-of", "2026-11-23"]);
    let (a, b): (serde_json::Value, serde_json::Value) =
        (serde_json::from_slice(&from_fhir.stdout).unwrap(), serde_json::from_slice(&from_csv.stdout).unwrap());
    assert_eq!(a["population"]["loaded"], 50);
    // The same people on every list (FHIR has no IMD decile, so flags and segments may differ).
    let members = |r: &serde_json::Value, c: &str| {
        r["cohorts"][c]["members"].as_array().unwrap().iter().map(|m| m["patient_id"].clone()).collect::<Vec<_>>()
    };
    for c in ["smi_register", "ld_register", "smi_health_checks", "hypertension_register"] {
        assert_eq!(members(&a, c), members(&b, c), "{c}");
    }
}
