//! Risk measures computed per patient from their record.

pub mod efi;
