//! CPU vector state shared by the kernels.

/// Clears the upper halves of the vector registers (`vzeroupper`).
///
/// faer's AVX-512 matrix kernels return with the upper register halves dirty. Scalar SSE code
/// run after them (libm's `exp` and `log1p` in the Bradley-Terry loss, say) then pays a
/// dependency on those halves at every instruction and runs several times slower (the
/// measurement is in benches/RESULTS.md).
#[inline]
pub fn clear_upper_state() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX (checked just above); vzeroupper only zeroes upper halves
        // of vector registers, which no live value occupies between Rust statements.
        unsafe { std::arch::x86_64::_mm256_zeroupper() }
    }
}
