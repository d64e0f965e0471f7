//! Background work that cannot hang the UI: every worker runs its job through
//! [`catch_panic`], so a bug in a decoder or a hostile file becomes an error the analyst
//! sees instead of a spinner that turns forever; every receiver treats a dropped
//! channel as a failure, never as "still running".

/// Runs `work`, turning a panic into an error that names `what` and the panic message.
pub fn catch_panic<T>(what: &str, work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        format!("{what} failed unexpectedly ({message}); please report this")
    })
}

/// [`catch_panic`] for work that can fail: a panic and an error both come back as the
/// error.
pub fn catch_failure<T>(what: &str, work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_panic(what, work).and_then(|r| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_naming_the_job_and_the_message() {
        let err = catch_panic("decoding x.jpg", || -> u32 {
            panic!("index out of bounds")
        })
        .unwrap_err();
        assert_eq!(
            err,
            "decoding x.jpg failed unexpectedly (index out of bounds); please report this"
        );
        let err = catch_panic("y", || -> u32 { panic!("{}", String::from("owned")) }).unwrap_err();
        assert!(err.contains("(owned)"), "{err}");
        assert_eq!(catch_panic("z", || 7), Ok(7));
    }
}
