//! A most-significant-bit-first bit reader with Exp-Golomb codes, for the few codec headers read
//! here (H.264 SPS timing, the VP9 uncompressed header). Reading past the end yields `None`.

pub(crate) struct Bits<'a> {
    data: &'a [u8],
    bit: usize,
}

impl<'a> Bits<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Bits { data, bit: 0 }
    }

    pub(crate) fn bit(&mut self) -> Option<u32> {
        let byte = *self.data.get(self.bit / 8)?;
        let value = (byte >> (7 - self.bit % 8)) & 1;
        self.bit += 1;
        Some(u32::from(value))
    }

    /// Up to 32 bits.
    pub(crate) fn bits(&mut self, n: u32) -> Option<u32> {
        let mut v: u32 = 0;
        for _ in 0..n {
            v = (v << 1) | self.bit()?;
        }
        Some(v)
    }

    pub(crate) fn skip(&mut self, n: u32) -> Option<()> {
        for _ in 0..n {
            self.bit()?;
        }
        Some(())
    }

    /// Unsigned Exp-Golomb (ue(v)); more than 31 leading zeros is not a valid code here.
    pub(crate) fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0u32;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        let rest = self.bits(zeros)?;
        Some(((1u64 << zeros) - 1 + u64::from(rest)).min(u64::from(u32::MAX)) as u32)
    }

    /// Signed Exp-Golomb (se(v)).
    pub(crate) fn se(&mut self) -> Option<i32> {
        let k = self.ue()?;
        let magnitude = (k / 2 + k % 2) as i32;
        Some(if k % 2 == 1 { magnitude } else { -magnitude })
    }
}
