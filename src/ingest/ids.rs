//! Patient id -> (index, payload), built for the events hot path.
//!
//! Events files can run to tens of millions of rows in no particular order,
//! so each row's id lookup should touch as little memory as possible: an
//! open-addressing table of 16-byte slots holding a hash tag, the id's
//! place in one contiguous arena of id bytes, the patient index and a
//! 32-bit payload (the date of birth), so that a lookup costs one slot and
//! one arena read. The hash is fast and non-cryptographic: ids come from the
//! user's own file, so hash flooding is not a concern.

use crate::model::PatientIdx;

/// The longest id the index accepts, in bytes.
pub const MAX_ID_LEN: usize = 1024;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// High 16 bits: hash tag; low 16 bits: id length. 0 with `idx1 == 0`
    /// marks an empty slot.
    tag_len: u32,
    /// Patient index + 1; 0 is an empty slot.
    idx1: u32,
    /// Where the id starts in the arena.
    start: u32,
    payload: u32,
}

#[derive(Debug, Default)]
pub struct IdIndex {
    slots: Vec<Slot>,
    arena: Vec<u8>,
    len: usize,
}

/// Why an id could not be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertError {
    /// Already present, at this index.
    Duplicate(PatientIdx),
    /// Longer than [`MAX_ID_LEN`].
    TooLong,
    /// The index is full (4 GB of ids or 2^31 patients).
    Full,
}

impl IdIndex {
    pub fn len(&self) -> usize {
        self.len
    }

    /// The index and payload of `id`, if present.
    #[inline]
    pub fn get(&self, id: &[u8]) -> Option<(PatientIdx, u32)> {
        if self.slots.is_empty() || id.len() > MAX_ID_LEN {
            return None;
        }
        let h = hash(id);
        let want = tag_len(h, id.len());
        let mask = self.slots.len() - 1;
        let mut s = (h as usize) & mask;
        loop {
            let slot = &self.slots[s];
            if slot.idx1 == 0 {
                return None;
            }
            if slot.tag_len == want {
                let start = slot.start as usize;
                if &self.arena[start..start + id.len()] == id {
                    return Some((slot.idx1 - 1, slot.payload));
                }
            }
            s = (s + 1) & mask;
        }
    }

    /// Adds `id` with the next index and returns that index.
    pub fn insert(&mut self, id: &[u8], payload: u32) -> Result<PatientIdx, InsertError> {
        if id.len() > MAX_ID_LEN {
            return Err(InsertError::TooLong);
        }
        if let Some((i, _)) = self.get(id) {
            return Err(InsertError::Duplicate(i));
        }
        let start = u32::try_from(self.arena.len()).map_err(|_| InsertError::Full)?;
        if self.arena.len() + id.len() > u32::MAX as usize || self.len >= (i32::MAX as usize) {
            return Err(InsertError::Full);
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.arena.extend_from_slice(id);
        let idx = self.len as u32;
        self.len += 1;
        let h = hash(id);
        self.place(h, Slot { tag_len: tag_len(h, id.len()), idx1: idx + 1, start, payload });
        Ok(idx)
    }

    fn place(&mut self, h: u64, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut s = (h as usize) & mask;
        while self.slots[s].idx1 != 0 {
            s = (s + 1) & mask;
        }
        self.slots[s] = slot;
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        for slot in old.into_iter().filter(|s| s.idx1 != 0) {
            let start = slot.start as usize;
            let len = (slot.tag_len & 0xFFFF) as usize;
            let h = hash(&self.arena[start..start + len]);
            self.place(h, slot);
        }
    }
}

#[inline]
fn tag_len(h: u64, len: usize) -> u32 {
    ((h >> 48) as u32) << 16 | len as u32
}

/// FxHash-style word hashing with a murmur3 finaliser, so that both the low
/// bits (slot) and the high bits (tag) are well mixed.
#[inline]
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_and_finds_many_ids() {
        let mut ids = IdIndex::default();
        assert_eq!(ids.get(b"x"), None);
        for i in 0..5000u32 {
            assert_eq!(ids.insert(format!("P{i:07}").as_bytes(), i * 3), Ok(i));
        }
        assert_eq!(ids.insert(b"", 7), Ok(5000));
        assert_eq!(ids.insert(b"P0000042", 0), Err(InsertError::Duplicate(42)));
        for i in 0..5000u32 {
            assert_eq!(ids.get(format!("P{i:07}").as_bytes()), Some((i, i * 3)));
        }
        assert_eq!(ids.get(b""), Some((5000, 7)));
        assert_eq!(ids.get(b"P0005000"), None);
        assert_eq!(ids.get(b"P000004"), None);
        assert_eq!(ids.len(), 5001);
        let long = vec![b'x'; MAX_ID_LEN + 1];
        assert_eq!(ids.insert(&long, 0), Err(InsertError::TooLong));
        assert_eq!(ids.get(&long), None);
        assert_eq!(ids.insert(&long[1..], 0), Ok(5001));
        assert_eq!(ids.get(&long[1..]), Some((5001, 0)));
    }
}
