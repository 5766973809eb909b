//! Blocking work (signing, token scans) on threads of its own.

use super::*;

/// Runs blocking work (PDF, PKCS#11) on a thread of its own, never on the
/// UI or executor threads. `None` if it panicked or no thread could start.
pub(super) async fn blocking<T: Send + 'static>(
    name: &'static str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = oneshot::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .ok()?;
    rx.await.ok()
}

/// Signs a job on a thread of its own; its steps come back as a stream.
/// A panic in the signing ends the batch with an error instead of leaving
/// the screen waiting.
pub(super) fn sign_in_background(job: sign::Job, data_dir: PathBuf) -> impl iced::futures::Stream<Item = sign::Step> {
    let (tx, rx) = iced::futures::channel::mpsc::unbounded();
    let fallback = tx.clone();
    let spawned = std::thread::Builder::new().name("kyso-sign".into()).spawn(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sign::run(job, &data_dir, &mut |step| {
                let _ = tx.unbounded_send(step);
            });
        }));
        if outcome.is_err() {
            let _ = tx.unbounded_send(sign::Step::Done(Err(Text::new("gui-task-failed")), None));
        }
    });
    if spawned.is_err() {
        let _ = fallback.unbounded_send(sign::Step::Done(Err(Text::new("gui-task-failed")), None));
    }
    drop(fallback);
    rx
}

/// Scans for tokens, then lists their certificates (no PIN: certificates
/// are public objects), on a thread of its own: PKCS#11 calls block (and
/// may hang in a bad driver), so they never run on the UI or executor
/// threads. `None` if the scan panicked or no thread could be started.
pub(super) async fn scan_in_background(
    modules: Vec<PathBuf>,
) -> Option<(Vec<ModuleReport>, Vec<kyso_token::CertEntry>)> {
    blocking("kyso-token-scan", move || {
        let candidates = kyso_token::candidate_modules(&[], &modules);
        let report = kyso_token::scan(&candidates);
        let certs = sign::load_certificates(&modules).map(|l| l.into_iter().map(|c| c.entry).collect());
        (report, certs.unwrap_or_default())
    })
    .await
}
