//! Risk measures computed per patient from their record.

pub mod admission;
pub mod admissions;
pub mod efi;
pub mod multimorbidity;
pub mod qrisk;
pub mod qrisk3;
