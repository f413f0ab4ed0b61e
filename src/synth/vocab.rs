//! The codes the generator writes, resolved once from the clusters.
//!
//! Every clinical code comes from the cluster it stands for, so whatever the
//! rules look for is what the synthetic record contains. A cluster's code is
//! chosen deterministically: the first of a short list of well-known concepts
//! that the cluster holds, else the cluster's first code. A user who replaces
//! a cluster therefore still gets events, written with their own codes.
//!
//! Medicines outside the clusters are dm+d codes checked against public
//! codelists (UoM-Data-Science-Platforms/gm-sde medication code sets, and the
//! Genes & Health prescribing notes for amlodipine); see [`MEDICINES`].

use crate::codes::Clusters;
use crate::model::{ClusterId, CodeSystem, EthnicityGroup};

/// Index of a code in [`Vocab::table`].
pub(super) type C = u16;

/// One code the generator can write.
#[derive(Debug, Clone)]
pub(super) struct CodeInfo {
    pub code: String,
    pub term: String,
    /// The `code_system` column: empty for SNOMED CT.
    pub system: &'static str,
    /// The unit written with a value.
    pub unit: &'static str,
    /// The cluster the code was taken from, if any.
    pub cluster: Option<&'static str>,
}

/// A medicine the generator prescribes, as a dm+d code and its name.
///
/// Sources (dm+d VMP codes and names as listed there):
/// - gm-sde `shared/clinical-code-sets/medications/`: `aspirin/1` (319773006),
///   `statins/1` (320030001, 319997009), `ace-inhibitor/2` (408051007),
///   `levothyroxine/1` (374296008, 374295007), `furosemide/1`
///   (42294811000001108), `proton-pump-inhibitors/1` (42356411000001102,
///   42354611000001109), `beta-blockers/1` (318590006, 318420003),
///   `salbutamol/1` (39113611000001102).
/// - 319283006 amlodipine 5 mg tablets: Genes & Health `MED_PY` notes
///   (NHS prescribing data from North East London).
///
/// Metformin was left out: no curated public list confirming its code was found.
pub(super) const MEDICINES: [(Med, &str, &str); 13] = [
    (Med::Amlodipine, "319283006", "Amlodipine 5mg tablets"),
    (Med::Ramipril, "408051007", "Ramipril 5mg tablets"),
    (Med::Atorvastatin, "320030001", "Atorvastatin 20mg tablets"),
    (Med::Simvastatin, "319997009", "Simvastatin 20mg tablets"),
    (Med::Aspirin, "319773006", "Aspirin 75mg dispersible tablets"),
    (Med::Levothyroxine100, "374296008", "Levothyroxine sodium 100microgram tablets"),
    (Med::Levothyroxine50, "374295007", "Levothyroxine sodium 50microgram tablets"),
    (Med::Furosemide, "42294811000001108", "Furosemide 40mg tablets"),
    (Med::Omeprazole, "42356411000001102", "Omeprazole 20mg gastro-resistant capsules"),
    (Med::Lansoprazole, "42354611000001109", "Lansoprazole 30mg gastro-resistant capsules"),
    (Med::Bisoprolol, "318590006", "Bisoprolol 5mg tablets"),
    (Med::Atenolol, "318420003", "Atenolol 50mg tablets"),
    (Med::Salbutamol, "39113611000001102", "Salbutamol 100micrograms/dose inhaler CFC free"),
];

/// Medicines, including lithium (whose codes come from the `lithium` cluster).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Med {
    Amlodipine,
    Ramipril,
    Atorvastatin,
    Simvastatin,
    Aspirin,
    Levothyroxine100,
    Levothyroxine50,
    Furosemide,
    Omeprazole,
    Lansoprazole,
    Bisoprolol,
    Atenolol,
    Salbutamol,
    Lithium,
}

pub(super) const MED_COUNT: usize = 14;

/// Emergency hospital admission and emergency department visit (SNOMED CT
/// procedures), written when the clusters do not hold them.
const EMERGENCY_ADMISSION: (&str, &str) = ("183452005", "Emergency hospital admission");
const AE_ATTENDANCE: (&str, &str) = ("4525004", "Emergency department patient visit");

/// The long-term condition registers as the rules define them: diagnosis
/// cluster and resolution cluster, in the order of
/// [`crate::risk::multimorbidity::REGISTERS`]. The SMI register also takes
/// anyone issued lithium in the last 6 months.
const LTC_REGISTERS: [(&str, Option<&str>); 16] = [
    ("hyp", Some("hyp_resolved")),
    ("dm", Some("dm_resolved")),
    ("asthma", Some("asthma_resolved")),
    ("copd", Some("copd_resolved")),
    ("chd", None),
    ("hf", Some("hf_resolved")),
    ("af", None),
    ("stroke_tia", None),
    ("ckd", Some("ckd_resolved")),
    ("pad", None),
    ("epilepsy", Some("epilepsy_resolved")),
    ("dementia", None),
    ("osteoporosis", None),
    ("ra", None),
    ("smi", Some("smi_remission")),
    ("ld", None),
];
pub(super) const SMI_REGISTER: usize = 14;

/// Which registers a code puts a person on (bit i = `LTC_REGISTERS[i]`), or takes them off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct RegisterBits {
    /// A diagnosis code of the register (and not also one of its resolution codes).
    pub diagnosis: u32,
    pub resolution: u32,
    /// A lithium product (the SMI register's second route).
    pub lithium: bool,
}

impl RegisterBits {
    pub fn any(self) -> bool {
        self.diagnosis != 0 || self.resolution != 0 || self.lithium
    }
}

/// An eFI deficit that is not already a condition the generator models.
#[derive(Debug, Clone)]
pub(super) struct ExtraDeficit {
    pub name: &'static str,
    /// Codes for women and men (the same unless the deficit is sex-specific).
    pub female: Option<C>,
    pub male: Option<C>,
    /// Roughly how common the deficit is among people aged 65 and over.
    pub weight: f64,
}

/// All codes, by purpose.
pub(super) struct Vocab {
    pub table: Vec<CodeInfo>,
    // Diagnoses and their resolution codes.
    pub hyp: Vec<C>,
    pub hyp_resolved: Option<C>,
    pub dm2: Vec<C>,
    pub dm1: Vec<C>,
    pub dm_resolved: Option<C>,
    pub asthma: Vec<C>,
    pub asthma_resolved: Option<C>,
    pub copd: Vec<C>,
    pub copd_resolved: Option<C>,
    pub chd: Vec<C>,
    pub af: Vec<C>,
    pub stroke: Vec<C>,
    pub tia: Vec<C>,
    pub hf: Vec<C>,
    pub hf_resolved: Option<C>,
    pub ckd: Vec<C>,
    pub ckd_resolved: Option<C>,
    pub dementia: Vec<C>,
    pub epilepsy: Vec<C>,
    pub epilepsy_resolved: Option<C>,
    pub osteoporosis_female: Option<C>,
    pub osteoporosis_male: Option<C>,
    pub ra: Vec<C>,
    pub pad: Vec<C>,
    /// Cancer codes: breast, prostate, colon, lung, leukaemia, unspecified.
    pub cancer: [Option<C>; 6],
    pub palliative: Vec<C>,
    pub palliative_not_indicated: Option<C>,
    /// Schizophrenia, bipolar disorder, other psychosis.
    pub smi: [Option<C>; 3],
    pub smi_remission: Option<C>,
    pub ld: Vec<C>,
    pub autism: Vec<C>,
    pub adhd: Vec<C>,
    pub adhd_resolved: Option<C>,
    pub hypothyroid: Option<C>,
    pub pregnant: Option<C>,
    pub live_birth: Option<C>,
    pub miscarriage: Option<C>,
    // Observations.
    pub systolic: Option<C>,
    pub diastolic: Option<C>,
    pub bmi: Option<C>,
    pub cholesterol: Option<C>,
    pub hba1c: Option<C>,
    pub alcohol_units: Option<C>,
    /// Teetotaller, light, moderate, heavy drinker.
    pub alcohol_status: [Option<C>; 4],
    pub smoker: Vec<C>,
    pub ex_smoker: Vec<C>,
    pub never_smoked: Option<C>,
    // Care processes.
    pub flu: Vec<C>,
    pub pneumococcal: Option<C>,
    pub medication_review: Option<C>,
    pub ld_health_check: Option<C>,
    pub ld_action_plan: Vec<C>,
    /// Mild, moderate, severe frailty.
    pub frailty: [Option<C>; 3],
    pub admission: C,
    /// Emergency admission for asthma, for COPD (QOF ASTADMSN_COD, COPDADMSN_COD).
    pub admission_asthma: Option<C>,
    pub admission_copd: Option<C>,
    pub ae: C,
    /// Per code in [`Vocab::table`]: the registers it bears on.
    pub register_bits: Vec<RegisterBits>,
    /// Which eFI deficit clusters a code is in (bit i = the i-th `efi_` cluster).
    pub deficit_bits: Vec<u64>,
    pub medicines: [Option<C>; MED_COUNT],
    // eFI deficits beyond the modelled conditions, and the codes that make
    // modelled conditions visible to the eFI.
    pub extra_deficits: Vec<ExtraDeficit>,
    /// SNOMED CT ethnicity codes by group (White, Mixed, Asian, Black, Other).
    pub ethnicity: [Vec<C>; 5],
}

struct Builder<'a> {
    clusters: &'a Clusters,
    table: Vec<CodeInfo>,
}

fn system_label(system: CodeSystem, cluster: &str) -> &'static str {
    if cluster == "lithium" {
        return "dmd";
    }
    match system {
        CodeSystem::Dmd => "dmd",
        CodeSystem::Read2 => "read2",
        CodeSystem::Ctv3 => "ctv3",
        // SNOMED CT, and systems the generator never writes.
        _ => "",
    }
}

impl Builder<'_> {
    fn push(&mut self, info: CodeInfo) -> C {
        if let Some(i) =
            self.table.iter().position(|c| c.code == info.code && c.unit == info.unit && c.cluster == info.cluster)
        {
            return i as C;
        }
        self.table.push(info);
        (self.table.len() - 1) as C
    }

    /// The codes of `preferred` that `cluster` holds, in that order; else the
    /// cluster's first code; empty when the cluster is missing or empty.
    fn many(&mut self, cluster: &'static str, preferred: &[&str], unit: &'static str) -> Vec<C> {
        let Some(id) = self.clusters.id(cluster) else {
            return Vec::new();
        };
        let listed = &self.clusters.get(id).codes;
        let mut chosen: Vec<_> = preferred.iter().filter_map(|p| listed.iter().find(|c| c.code == *p)).collect();
        if chosen.is_empty() {
            chosen.extend(listed.first());
        }
        let chosen: Vec<_> = chosen.into_iter().cloned().collect();
        chosen
            .into_iter()
            .map(|c| {
                self.push(CodeInfo {
                    term: if c.term.is_empty() { c.code.clone() } else { c.term.clone() },
                    system: system_label(c.system, cluster),
                    code: c.code,
                    unit,
                    cluster: Some(cluster),
                })
            })
            .collect()
    }

    fn one(&mut self, cluster: &'static str, preferred: &[&str], unit: &'static str) -> Option<C> {
        self.many(cluster, preferred, unit).first().copied()
    }

    /// Exactly the first preferred code the cluster holds, with no fallback.
    fn exact(&mut self, cluster: &'static str, preferred: &[&str]) -> Option<C> {
        let id = self.clusters.id(cluster)?;
        let found = preferred.iter().find_map(|p| self.clusters.get(id).codes.iter().find(|c| c.code == *p))?.clone();
        Some(self.push(CodeInfo {
            term: found.term.clone(),
            system: system_label(found.system, cluster),
            code: found.code,
            unit: "",
            cluster: Some(cluster),
        }))
    }

    fn plain(&mut self, code: &str, term: &str, system: &'static str) -> C {
        self.push(CodeInfo { code: code.into(), term: term.into(), system, unit: "", cluster: None })
    }
}

impl Vocab {
    pub(super) fn new(clusters: &Clusters) -> Vocab {
        let mut b = Builder { clusters, table: Vec::new() };
        let mut medicines = [None; MED_COUNT];
        for (med, code, term) in MEDICINES {
            medicines[med as usize] = Some(b.plain(code, term, "dmd"));
        }
        medicines[Med::Lithium as usize] = b.one("lithium", &["39110111000001103", "766311000001100", "321734009"], "");
        let extra_deficits = extra_deficits(&mut b);
        let ethnicity = ethnicity_codes(&mut b);
        let admission = match b.one("emergency_admission", &[EMERGENCY_ADMISSION.0], "") {
            Some(c) => c,
            None => b.plain(EMERGENCY_ADMISSION.0, EMERGENCY_ADMISSION.1, ""),
        };
        let admission_asthma = b.exact("emergency_admission", &["183478001"]);
        let admission_copd = b.exact("emergency_admission", &["408501008"]);
        let ae = match b.one("ae_attendance", &[AE_ATTENDANCE.0], "") {
            Some(c) => c,
            None => b.plain(AE_ATTENDANCE.0, AE_ATTENDANCE.1, ""),
        };
        let mut vocab = Vocab {
            hyp: b.many("hyp", &["38341003", "59621000", "1201005"], ""),
            hyp_resolved: b.one("hyp_resolved", &["162659009"], ""),
            dm2: b.many("dm", &["44054006", "313436004"], ""),
            dm1: b.many("dm", &["46635009"], ""),
            dm_resolved: b.one("dm_resolved", &["315051004"], ""),
            asthma: b.many("asthma", &["195967001"], ""),
            asthma_resolved: b.one("asthma_resolved", &["162660004"], ""),
            copd: b.many("copd", &["13645005"], ""),
            copd_resolved: b.one("copd_resolved", &["941201000000103"], ""),
            chd: b.many("chd", &["414545008", "22298006", "194828000"], ""),
            af: b.many("af", &["49436004"], ""),
            stroke: b.many("stroke_tia", &["230690007"], ""),
            tia: b.many("stroke_tia", &["266257000"], ""),
            hf: b.many("hf", &["84114007", "42343007"], ""),
            hf_resolved: b.one("hf_resolved", &["521691000000100"], ""),
            ckd: b.many("ckd", &["700378005", "700379002", "431857002", "433146000"], ""),
            ckd_resolved: b.one("ckd_resolved", &["939211000000104"], ""),
            dementia: b.many("dementia", &["52448006", "26929004"], ""),
            epilepsy: b.many("epilepsy", &["84757009"], ""),
            epilepsy_resolved: b.one("epilepsy_resolved", &["162658001"], ""),
            osteoporosis_female: b.one("osteoporosis", &["102447009", "64859006"], ""),
            osteoporosis_male: b.one("osteoporosis", &["18040001", "64859006"], ""),
            ra: b.many("ra", &["69896004"], ""),
            pad: b.many("pad", &["399957001"], ""),
            cancer: [
                b.one("cancer", &["254837009", "372137005"], ""),
                b.one("cancer", &["399068003"], ""),
                b.one("cancer", &["93761005"], ""),
                b.one("cancer", &["363358000", "93880001"], ""),
                b.one("cancer", &["93143009"], ""),
                b.one("cancer", &["363346000"], ""),
            ],
            palliative: b.many("palliative", &["103735009", "1095151000000107"], ""),
            palliative_not_indicated: b.one("palliative_not_indicated", &["1048611000000104"], ""),
            smi: [b.one("smi", &["58214004"], ""), b.one("smi", &["13746004"], ""), b.one("smi", &["69322001"], "")],
            // A remission code that is not itself an SMI diagnosis code, so
            // that it can follow the diagnosis as "remission after latest".
            smi_remission: b.exact("smi_remission", &["723903001", "22121000"]),
            ld: b.many("ld", &["110359009", "41040004"], ""),
            autism: b.many("autism", &["408856003", "23560001"], ""),
            adhd: b.many("adhd", &["406506008"], ""),
            adhd_resolved: b.one("adhd_resolved", &["698689005"], ""),
            hypothyroid: b.exact("efi_thyroid_disorders", &["40930008"]),
            pregnant: b.one("pregnancy", &["77386006"], ""),
            live_birth: b.exact("pregnancy_ended", &["169826009"]),
            miscarriage: b.exact("pregnancy_ended", &["17369002"]),
            systolic: b.one("systolic_bp", &["271649006"], "mmHg"),
            diastolic: b.one("diastolic_bp", &["271650006"], "mmHg"),
            bmi: b.one("bmi", &["60621009"], "kg/m2"),
            cholesterol: b.one("cholesterol", &["1005671000000105"], "mmol/L"),
            hba1c: b.one("hba1c", &["999791000000106"], "mmol/mol"),
            alcohol_units: b.one("alcohol", &["160573003"], "units/week"),
            alcohol_status: [
                b.exact("alcohol", &["105542008"]),
                b.exact("alcohol", &["228277002"]),
                b.exact("alcohol", &["43783005"]),
                b.exact("alcohol", &["86933000"]),
            ],
            smoker: b.many("current_smoker", &["77176002", "65568007", "160603005", "160604004"], ""),
            ex_smoker: ["8517006", "281018007"].iter().filter_map(|c| b.exact("smoking", &[c])).collect(),
            never_smoked: b.exact("smoking", &["266919005"]),
            flu: b.many("flu_vaccination", &["822851000000102", "955691000000108"], ""),
            pneumococcal: b.one("pneumococcal_vaccination", &["12866006"], ""),
            medication_review: b.one("medication_review", &["314530002"], ""),
            ld_health_check: b.one("ld_health_check", &["69DB."], ""),
            ld_action_plan: b.many("ld_health_action_plan", &["9HB4.", "9HB2."], ""),
            frailty: [
                b.one("frailty_mild", &["925791000000100"], ""),
                b.one("frailty_moderate", &["925831000000107"], ""),
                b.one("frailty_severe", &["925861000000102"], ""),
            ],
            admission,
            admission_asthma,
            admission_copd,
            ae,
            register_bits: Vec::new(),
            deficit_bits: Vec::new(),
            medicines,
            extra_deficits,
            ethnicity,
            table: Vec::new(),
        };
        vocab.register_bits = b.table.iter().map(|c| register_bits(clusters, &c.code)).collect();
        let deficits = deficit_clusters(clusters);
        vocab.deficit_bits = b.table.iter().map(|c| deficit_bits(clusters, &deficits, &c.code)).collect();
        vocab.table = b.table;
        vocab
    }

    pub(super) fn get(&self, c: C) -> &CodeInfo {
        &self.table[c as usize]
    }
}

/// The registers `code` bears on, by cluster membership, as the rules read it.
fn register_bits(clusters: &Clusters, code: &str) -> RegisterBits {
    let of = clusters.of_code(code);
    let has = |name: &str| clusters.id(name).is_some_and(|id| of.contains(&id));
    let mut bits = RegisterBits { lithium: has("lithium"), ..RegisterBits::default() };
    for (i, (diagnosis, resolution)) in LTC_REGISTERS.iter().enumerate() {
        let resolves = resolution.is_some_and(has);
        if resolves {
            bits.resolution |= 1 << i;
        } else if has(diagnosis) {
            bits.diagnosis |= 1 << i;
        }
    }
    bits
}

/// The eFI's coded deficits: the clusters named `efi_…` (35, as `rules/frailty.toml` lists them).
pub(super) fn deficit_clusters(clusters: &Clusters) -> Vec<ClusterId> {
    clusters.iter().filter(|c| c.id.starts_with("efi_")).filter_map(|c| clusters.id(&c.id)).collect()
}

fn deficit_bits(clusters: &Clusters, deficits: &[ClusterId], code: &str) -> u64 {
    let of = clusters.of_code(code);
    deficits.iter().enumerate().filter(|(_, id)| of.contains(id)).fold(0, |bits, (i, _)| bits | 1 << i)
}

fn extra_deficits(b: &mut Builder<'_>) -> Vec<ExtraDeficit> {
    // (cluster, preferred code for women, for men, weight among 65+)
    const LIST: [(&str, &str, &str, f64); 23] = [
        ("efi_arthritis", "396275006", "396275006", 0.30),
        ("efi_vision_problems", "193570009", "193570009", 0.28),
        ("efi_hearing_loss", "15188001", "15188001", 0.24),
        ("efi_urinary_system_disease", "68566005", "11441004", 0.14),
        ("efi_dizziness", "404640003", "404640003", 0.14),
        ("efi_falls", "161898004", "161898004", 0.14),
        ("efi_sleep_disturbance", "193462001", "193462001", 0.11),
        ("efi_dyspnoea", "267036007", "267036007", 0.11),
        ("efi_social_vulnerability", "105529008", "105529008", 0.11),
        ("efi_mobility_problems", "8510008", "8510008", 0.09),
        ("efi_foot_problems", "185303007", "185303007", 0.09),
        ("efi_urinary_incontinence", "165232002", "165232002", 0.09),
        ("efi_anaemia", "87522002", "271737000", 0.09),
        ("efi_fragility_fracture", "5913000", "5913000", 0.05),
        ("efi_peptic_ulcer", "13200003", "13200003", 0.05),
        ("efi_heart_valve_disease", "60573004", "60573004", 0.05),
        ("efi_hypotension", "28651003", "28651003", 0.05),
        ("efi_weight_loss", "89362005", "89362005", 0.04),
        ("efi_skin_ulcer", "46742003", "46742003", 0.04),
        ("efi_activity_limitation", "21134002", "21134002", 0.04),
        ("efi_care_requirement", "184156005", "184156005", 0.04),
        ("efi_cognitive_problems", "386807006", "386807006", 0.04),
        ("efi_housebound", "160689007", "160689007", 0.03),
    ];
    let mut out: Vec<ExtraDeficit> = LIST
        .iter()
        .map(|(cluster, f, m, weight)| ExtraDeficit {
            name: cluster,
            female: b.one(cluster, &[f], ""),
            male: b.one(cluster, &[m], ""),
            weight: *weight,
        })
        .collect();
    out.push(ExtraDeficit {
        name: "efi_parkinsons",
        female: b.one("efi_parkinsons", &["49049000"], ""),
        male: b.one("efi_parkinsons", &["49049000"], ""),
        weight: 0.02,
    });
    out.retain(|d| d.female.is_some() && d.male.is_some());
    out
}

/// A few SNOMED CT ethnicity codes per group, from the embedded PRIMIS list,
/// kept only where the crate maps them back to the same group.
fn ethnicity_codes(b: &mut Builder<'_>) -> [Vec<C>; 5] {
    let mut out: [Vec<C>; 5] = Default::default();
    let Some(text) = crate::codes::builtin_file("primis_eth2001.csv") else {
        return out;
    };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.records().flatten() {
        let (Some(code), Some(term), Some(group)) = (record.get(0), record.get(1), record.get(3)) else {
            continue;
        };
        let Some(group) = group.trim().parse::<u8>().ok().and_then(EthnicityGroup::from_grouping_6) else {
            continue;
        };
        let slot = match group {
            EthnicityGroup::White => 0,
            EthnicityGroup::Mixed => 1,
            EthnicityGroup::Asian => 2,
            EthnicityGroup::Black => 3,
            EthnicityGroup::Other => 4,
            EthnicityGroup::NotRecorded => continue,
        };
        if out[slot].len() < 4 && b.clusters.ethnicity_of(code.trim()) == Some(group) {
            let c = b.plain(code.trim(), term.trim(), "");
            out[slot].push(c);
        }
    }
    out
}
