//! Risk measures computed per patient from their record.

pub mod efi;
pub mod qrisk;
pub mod qrisk3;
