//! The codes on a receipt, references (`RH-` and 8 characters) and tokens (26 characters), in
//! Crockford's base32: made here for the store, and read back here as a person types them.

/// Crockford's base32 alphabet: no I, L, O or U, so a reference read aloud or copied by hand
/// has no look-alikes.
pub const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `n` characters of Crockford base32 from the operating system's CSPRNG: 5 bits each (8 for a
/// reference: 40 bits; 26 for a token: 130 bits).
pub fn random(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes
        .iter()
        .map(|b| CROCKFORD[usize::from(b & 31)] as char)
        .collect()
}

/// A reference or token as a person may type it from a printed receipt: in any case, with
/// spaces, and with O for 0 or I and L for 1, read the way Crockford's base32 reads them.
/// Generated codes never hold O, I or L, so no code can be taken for another.
pub fn typed(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_codes_are_crockford_base32() {
        let r = random(8);
        assert!(r.bytes().all(|b| CROCKFORD.contains(&b)), "{r}");
    }

    #[test]
    fn typed_codes_read_as_crockford_base32() {
        assert_eq!(typed(" rh-0il5 abcd "), "RH-0115ABCD");
        assert_eq!(typed("RH-O1L5"), "RH-0115");
    }
}
