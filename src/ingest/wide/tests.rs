use super::*;

#[test]
fn flags_read_yes_no_and_dates() {
    for yes in ["Yes", "y", "TRUE", "1", "x", "\u{2713}", "On register"] {
        assert_eq!(parse_flag(yes), Flag::Yes(None), "{yes}");
    }
    for no in ["", "No", "n", "false", "0", "Not on register"] {
        assert_eq!(parse_flag(no), Flag::No, "{no}");
    }
    assert_eq!(parse_flag("03/11/2026"), Flag::Yes(Some("2026-11-03".parse().unwrap())));
    assert_eq!(parse_flag("maybe"), Flag::Unreadable);
}

#[test]
fn headers_are_found_as_written_or_normalised() {
    let headers: Vec<String> = ["Patient ID", " Latest BP date ", "HBA1C (mmol/mol)"].map(String::from).to_vec();
    assert_eq!(position(&headers, "Latest BP date"), Some(1));
    assert_eq!(position(&headers, "latest bp-date"), Some(1));
    assert_eq!(position(&headers, "HbA1c mmol/mol"), Some(2));
    assert_eq!(position(&headers, "Cholesterol"), None);
}
