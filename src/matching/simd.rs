//! Runtime choice of instruction set for the matcher's hot loops, without `unsafe` here:
//! pulp compiles the work a second time with AVX2, POPCNT and friends (x86-64-v3) and
//! runs that copy when the CPU has them, the x86-64 baseline otherwise. The loops are
//! integer-only, so both copies give identical results.

/// Runs `work`, compiled for the best instruction set this CPU has. What `work` calls
/// must be `#[inline(always)]` to be compiled with it.
pub fn dispatch<R>(work: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(Work(work))
}

struct Work<F>(F);

impl<R, F: FnOnce() -> R> pulp::WithSimd for Work<F> {
    type Output = R;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> R {
        (self.0)()
    }
}
