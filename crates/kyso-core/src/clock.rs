//! The signing clock: the claimed signing time a signature gets when the
//! request names none (PDF `/M` and the visible look's date, ISO 32000-2
//! §12.8.1 Table 255; the XAdES SigningTime, ETSI EN 319 132-1 §5.2.1).
//!
//! Tests need two front ends to sign at the same instant, so a debug build
//! (`cfg(debug_assertions)`, never a shipped release) reads the fixed time
//! `KYSO_FIXED_SIGNING_TIME` (RFC 3339, or Unix seconds) and, for a test
//! that signs in its own process, a time fixed on the calling thread
//! ([`with_fixed_clock`]). A release build always reads the system clock.

/// The claimed signing time now (Unix seconds): the system clock, or in a
/// debug build the fixed test time (see the module documentation).
pub fn clock() -> i64 {
    #[cfg(debug_assertions)]
    if let Some(t) = fixed::get() {
        return t;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Runs `f` with [`clock`] fixed at `time` (Unix seconds) on this thread
/// (debug builds only: tests).
#[cfg(debug_assertions)]
pub fn with_fixed_clock<R>(time: i64, f: impl FnOnce() -> R) -> R {
    /// Puts the earlier value back, also when `f` panics.
    struct Restore(Option<i64>);
    impl Drop for Restore {
        fn drop(&mut self) {
            fixed::THREAD.set(self.0);
        }
    }
    let _restore = Restore(fixed::THREAD.replace(Some(time)));
    f()
}

/// A value of `KYSO_FIXED_SIGNING_TIME`: Unix seconds or an RFC 3339
/// date-time (`2026-03-05T09:30:00+07:00`); `None` when it is neither.
#[cfg(debug_assertions)]
pub(crate) fn parse_fixed_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return Some(secs);
    }
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok().map(|t| t.unix_timestamp())
}

#[cfg(debug_assertions)]
mod fixed {
    use std::cell::Cell;

    thread_local! {
        pub(super) static THREAD: Cell<Option<i64>> = const { Cell::new(None) };
    }

    /// The environment variable a debug build honours.
    const VAR: &str = "KYSO_FIXED_SIGNING_TIME";

    pub(super) fn get() -> Option<i64> {
        if let Some(t) = THREAD.get() {
            return Some(t);
        }
        let value = std::env::var(VAR).ok()?;
        match super::parse_fixed_time(&value) {
            Some(t) => Some(t),
            None => {
                // A test knob set wrong is said, once, rather than ignored
                // silently (the system clock is used).
                static WARNED: std::sync::Once = std::sync::Once::new();
                WARNED.call_once(|| eprintln!("{VAR}={value:?} is neither Unix seconds nor RFC 3339; ignored"));
                None
            }
        }
    }
}

#[cfg(all(test, debug_assertions))]
mod tests {
    use super::*;

    #[test]
    fn fixed_times_are_unix_seconds_or_rfc_3339() {
        assert_eq!(parse_fixed_time("1772677800"), Some(1_772_677_800));
        assert_eq!(parse_fixed_time("2026-03-05T09:30:00+07:00"), Some(1_772_677_800));
        assert_eq!(parse_fixed_time("2026-03-05T02:30:00Z"), Some(1_772_677_800));
        assert_eq!(parse_fixed_time("05/03/2026"), None);
        assert_eq!(parse_fixed_time(""), None);
    }

    #[test]
    fn a_clock_fixed_on_this_thread_is_read_only_here() {
        let other = std::thread::spawn(clock);
        let fixed = with_fixed_clock(1_772_677_800, || (clock(), std::thread::spawn(clock).join()));
        assert_eq!(fixed.0, 1_772_677_800);
        // Another thread still reads the system clock (or the environment's
        // fixed time, which this test process does not set).
        let elsewhere = fixed.1.expect("thread");
        assert!(elsewhere > 1_772_677_800 || std::env::var_os("KYSO_FIXED_SIGNING_TIME").is_some());
        assert!(other.join().expect("thread") > 0);
        assert_ne!(clock(), 1_772_677_800, "restored after");
    }
}
