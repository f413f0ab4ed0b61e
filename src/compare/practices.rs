//! Several practices side by side: every indicator as each practice's
//! numerator out of its denominator, the PCN's figure across them, and a
//! funnel plot per indicator.
//!
//! Practices come from shared summary files (disclosed) or from extracts
//! read on this machine (exact). A suppressed count stays suppressed: the
//! practice is left out of that figure's PCN total and funnel, and nothing
//! is ever worked out by subtraction.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::disclosure::Disclosure;
use super::funnel::{self, Limits, Position};
use super::summary::{self, Cell, DimensionInfo, Indicator, PracticeFigures, SummaryFile};
use crate::report::equity::Rate;

/// Where a practice's figures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A shared summary file: disclosed counts.
    Summary,
    /// An extract read on this machine: exact counts.
    Extract,
}

impl std::str::FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Source, String> {
        match s {
            "summary" => Ok(Source::Summary),
            "extract" => Ok(Source::Extract),
            other => Err(format!("source '{other}' is not 'summary' or 'extract'")),
        }
    }
}

/// One practice in the comparison, with what it was made from.
#[derive(Debug, Clone)]
struct Entry {
    file: String,
    source: Source,
    as_of: String,
    settings: BTreeMap<String, serde_json::Value>,
    local_rule_files: Vec<String>,
    disclosure: Disclosure,
    indicators: Vec<Indicator>,
    dimensions: Vec<DimensionInfo>,
    figures: PracticeFigures,
}

/// What adding a file did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Added {
    pub added: Vec<String>,
    /// Codes already in the comparison, now replaced by this file's figures.
    pub replaced: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Comparison {
    entries: Vec<Entry>,
}

/// A practice as the table lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PracticeInfo {
    pub code: String,
    pub file: String,
    pub source: Source,
    pub exact: bool,
    pub as_of: String,
    pub registered: Option<u64>,
}

/// One figure: counts, rate and its 95% Wilson interval, and whether it
/// is shown, suppressed or not in the practice's summary at all.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TableCell {
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub rate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// "shown", "suppressed" or "absent".
    pub status: &'static str,
}

impl TableCell {
    fn of(cell: Option<&Cell>) -> TableCell {
        let none = |status| TableCell { numerator: None, denominator: None, rate: None, low: None, high: None, status };
        match cell {
            None => none("absent"),
            Some(Cell { numerator: Some(n), denominator: Some(d) }) => {
                let r = Rate::new(*n, *d);
                TableCell {
                    numerator: Some(*n),
                    denominator: Some(*d),
                    rate: r.rate,
                    low: r.low,
                    high: r.high,
                    status: "shown",
                }
            }
            Some(c) => TableCell { denominator: c.denominator, ..none("suppressed") },
        }
    }

    fn counts(&self) -> Option<(u64, u64)> {
        Some((self.numerator?, self.denominator?))
    }
}

/// The PCN's figure: the practices' shown counts added up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PcnFigure {
    pub numerator: u64,
    pub denominator: u64,
    pub rate: Option<f64>,
    /// Practices whose counts are in it.
    pub practices: usize,
}

impl PcnFigure {
    fn of<'c>(cells: impl Iterator<Item = &'c TableCell>) -> PcnFigure {
        let (mut numerator, mut denominator, mut practices) = (0, 0, 0);
        for (n, d) in cells.filter_map(TableCell::counts) {
            numerator += n;
            denominator += d;
            practices += 1;
        }
        PcnFigure { numerator, denominator, rate: Rate::new(numerator, denominator).rate, practices }
    }

    /// The target a funnel is drawn around, unrounded.
    fn target(&self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TableRow {
    #[serde(flatten)]
    pub indicator: Indicator,
    pub pcn: PcnFigure,
    /// One per practice, in the table's order.
    pub cells: Vec<TableCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub dimension: Option<String>,
    pub group: Option<String>,
    pub practices: Vec<PracticeInfo>,
    pub warnings: Vec<String>,
    pub dimensions: Vec<DimensionInfo>,
    pub indicators: Vec<TableRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FunnelPoint {
    pub code: String,
    pub numerator: u64,
    pub denominator: u64,
    pub rate: Option<f64>,
    pub position: Position,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub code: String,
    pub why: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub indicator: Indicator,
    pub dimension: Option<String>,
    pub group: Option<String>,
    pub pcn: PcnFigure,
    pub points: Vec<FunnelPoint>,
    pub left_out: Vec<LeftOut>,
    /// The 95% and 99.8% limits around the PCN rate, from 1 to past the largest denominator.
    pub curve: Vec<Limits>,
}

impl Comparison {
    pub fn new() -> Comparison {
        Comparison::default()
    }

    /// Adds every practice in a summary, replacing any with the same code.
    pub fn add(&mut self, file: &str, summary: &SummaryFile, source: Source) -> Added {
        let mut added = Added::default();
        for p in &summary.practices {
            let entry = Entry {
                file: file.to_owned(),
                source,
                as_of: summary.as_of.clone(),
                settings: summary.settings.clone(),
                local_rule_files: summary.local_rule_files.clone(),
                disclosure: summary.disclosure.clone(),
                indicators: summary.indicators.clone(),
                dimensions: summary.dimensions.clone(),
                figures: p.clone(),
            };
            match self.entries.iter_mut().find(|e| e.figures.code == p.code) {
                Some(old) => {
                    *old = entry;
                    added.replaced.push(p.code.clone());
                }
                None => {
                    self.entries.push(entry);
                    added.added.push(p.code.clone());
                }
            }
        }
        added
    }

    /// Reads a summary file's text and adds it: a shared file for
    /// [`Source::Summary`], this machine's exact figures for [`Source::Extract`].
    pub fn add_file(&mut self, file: &str, text: &str, source: Source) -> Result<Added, String> {
        let summary = summary::read(file, text, source == Source::Extract)?;
        Ok(self.add(file, &summary, source))
    }

    /// Removes a practice; false if it was not there.
    pub fn remove(&mut self, code: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.figures.code != code);
        self.entries.len() != before
    }

    /// Removes every practice that came from `file`.
    pub fn remove_file(&mut self, file: &str) {
        self.entries.retain(|e| e.file != file);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every indicator in any practice's summary, in order of first appearance.
    fn indicators(&self) -> Vec<Indicator> {
        let mut seen = BTreeSet::new();
        self.entries.iter().flat_map(|e| &e.indicators).filter(|i| seen.insert(i.id.clone())).cloned().collect()
    }

    fn cell(entry: &Entry, indicator: &str, at: Option<(&str, &str)>) -> TableCell {
        let figures = entry.figures.values.get(indicator);
        TableCell::of(match at {
            None => figures.map(|f| &f.total),
            Some((d, g)) => figures.and_then(|f| f.by.get(d)).and_then(|groups| groups.get(g)),
        })
    }

    /// Every indicator for every practice: the whole practice, or one
    /// group of one dimension (`at` = (dimension, group)).
    pub fn table(&self, at: Option<(&str, &str)>) -> Table {
        let indicators = self
            .indicators()
            .into_iter()
            .map(|indicator| {
                let cells: Vec<TableCell> = self.entries.iter().map(|e| Self::cell(e, &indicator.id, at)).collect();
                TableRow { pcn: PcnFigure::of(cells.iter()), cells, indicator }
            })
            .collect();
        Table {
            dimension: at.map(|(d, _)| d.to_owned()),
            group: at.map(|(_, g)| g.to_owned()),
            practices: self
                .entries
                .iter()
                .map(|e| PracticeInfo {
                    code: e.figures.code.clone(),
                    file: e.file.clone(),
                    source: e.source,
                    exact: e.disclosure.exact,
                    as_of: e.as_of.clone(),
                    registered: e.figures.registered,
                })
                .collect(),
            warnings: self.warnings(),
            dimensions: self.entries.first().map(|e| e.dimensions.clone()).unwrap_or_default(),
            indicators,
        }
    }

    /// One indicator's funnel plot around the PCN rate.
    pub fn funnel(&self, indicator: &str, at: Option<(&str, &str)>) -> Result<Funnel, String> {
        let meta = self
            .indicators()
            .into_iter()
            .find(|i| i.id == indicator)
            .ok_or_else(|| format!("no practice in the comparison has the indicator '{indicator}'"))?;
        let cells: Vec<(&Entry, TableCell)> = self.entries.iter().map(|e| (e, Self::cell(e, indicator, at))).collect();
        let pcn = PcnFigure::of(cells.iter().map(|(_, c)| c));
        let (mut points, mut left_out) = (Vec::new(), Vec::new());
        for (e, c) in &cells {
            let code = e.figures.code.clone();
            match (c.counts(), pcn.target()) {
                (Some((_, 0)), _) => left_out.push(LeftOut { code, why: "no one in the denominator" }),
                (Some((n, d)), Some(target)) => points.push(FunnelPoint {
                    code,
                    numerator: n,
                    denominator: d,
                    rate: c.rate,
                    position: Position::of(n, d, target),
                }),
                (Some(_), None) => left_out.push(LeftOut { code, why: "no one in the denominator" }),
                (None, _) if c.status == "absent" => left_out.push(LeftOut { code, why: "not in its summary" }),
                (None, _) => left_out.push(LeftOut { code, why: "suppressed (1 to 7)" }),
            }
        }
        let largest = points.iter().map(|p| p.denominator).max().unwrap_or(0);
        let curve = pcn.target().map(|t| funnel::curve(t, largest)).unwrap_or_default();
        Ok(Funnel {
            indicator: meta,
            dimension: at.map(|(d, _)| d.to_owned()),
            group: at.map(|(_, g)| g.to_owned()),
            pcn,
            points,
            left_out,
            curve,
        })
    }

    /// What a reader must know before comparing: different dates,
    /// settings or local rules, and exact figures beside rounded ones.
    fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let by = |f: &dyn Fn(&Entry) -> String| {
            let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for e in &self.entries {
                groups.entry(f(e)).or_default().push(&e.figures.code);
            }
            groups
        };
        let list = |groups: &BTreeMap<String, Vec<&str>>, prefix: &str| {
            groups
                .iter()
                .map(|(v, codes)| format!("{prefix}{v} for {}", codes.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let dates = by(&|e| e.as_of.clone());
        if dates.len() > 1 {
            out.push(format!("The practices are drawn up on different dates: {}.", list(&dates, "as of ")));
        }
        let keys: BTreeSet<&String> = self.entries.iter().flat_map(|e| e.settings.keys()).collect();
        for key in keys {
            let values = by(&|e| e.settings.get(key).map_or("not set".into(), |v| v.to_string()));
            if values.len() > 1 {
                out.push(format!("The setting {key} differs: {}.", list(&values, "")));
            }
        }
        let rules = by(&|e| if e.local_rule_files.is_empty() { "none".into() } else { e.local_rule_files.join(", ") });
        if rules.len() > 1 {
            out.push(format!("The local rule files differ: {}.", list(&rules, "")));
        }
        let exact: Vec<&str> =
            self.entries.iter().filter(|e| e.disclosure.exact).map(|e| e.figures.code.as_str()).collect();
        if !exact.is_empty() && exact.len() < self.entries.len() {
            out.push(format!(
                "{} exact (from extracts on this machine); the others are from shared summaries, rounded to 5 with 1 to 7 suppressed, so small differences may be rounding.",
                if exact.len() == 1 { format!("{} is", exact[0]) } else { format!("{} are", exact.join(", ")) }
            ));
        }
        out
    }

    /// The whole comparison as CSV, every count disclosed (exact figures
    /// included): one row per indicator, group and practice, then the PCN.
    pub fn csv(&self) -> String {
        let shared = Comparison {
            entries: self
                .entries
                .iter()
                .map(|e| {
                    let file = SummaryFile {
                        schema: summary::SCHEMA.into(),
                        version: summary::VERSION,
                        software: String::new(),
                        as_of: e.as_of.clone(),
                        disclosure: e.disclosure.clone(),
                        settings: BTreeMap::new(),
                        local_rule_files: Vec::new(),
                        dimensions: Vec::new(),
                        indicators: Vec::new(),
                        practices: vec![e.figures.clone()],
                    }
                    .disclosed();
                    Entry {
                        disclosure: file.disclosure,
                        figures: file.practices.into_iter().next().expect("one practice"),
                        ..e.clone()
                    }
                })
                .collect(),
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = [
            "indicator_id",
            "indicator",
            "dimension",
            "group",
            "practice",
            "source",
            "numerator",
            "denominator",
            "rate_percent",
        ];
        w.write_record(header).expect("writes to memory");
        let dimensions = shared.entries.first().map(|e| e.dimensions.clone()).unwrap_or_default();
        let places: Vec<Option<(String, String)>> = std::iter::once(None)
            .chain(dimensions.iter().flat_map(|d| d.groups.iter().map(move |g| Some((d.id.clone(), g.id.clone())))))
            .collect();
        let count = |n: Option<u64>| n.map_or_else(|| "suppressed".to_owned(), |n| n.to_string());
        let percent = |r: Option<f64>| r.map_or_else(String::new, |r| format!("{:.1}", r * 100.0));
        for place in &places {
            let at = place.as_ref().map(|(d, g)| (d.as_str(), g.as_str()));
            let (dimension, group) = at.unwrap_or(("all", "all"));
            for row in shared.table(at).indicators {
                for (e, c) in shared.entries.iter().zip(&row.cells) {
                    if c.status == "absent" {
                        continue;
                    }
                    let source = if e.source == Source::Summary { "summary" } else { "extract" };
                    let record = [
                        row.indicator.id.as_str(),
                        &row.indicator.title,
                        dimension,
                        group,
                        &e.figures.code,
                        source,
                        &count(c.numerator),
                        &count(c.denominator),
                        &percent(c.rate),
                    ];
                    w.write_record(record).expect("writes to memory");
                }
                let pcn = [
                    row.indicator.id.as_str(),
                    &row.indicator.title,
                    dimension,
                    group,
                    "PCN",
                    "all practices shown",
                    &row.pcn.numerator.to_string(),
                    &row.pcn.denominator.to_string(),
                    &percent(row.pcn.rate),
                ];
                w.write_record(pcn).expect("writes to memory");
            }
        }
        String::from_utf8(w.into_inner().expect("flushes to memory")).expect("CSV of UTF-8 text")
    }
}
