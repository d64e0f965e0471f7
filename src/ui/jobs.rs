//! The one home for background work in the UI: every thread `ui/` starts is started here.
//!
//! - [`Jobs`] is the registry of one app (one egui context, see [`Jobs::of`]). A part
//!   asks it for a job with [`Jobs::spawn`]: a name, and work that runs on its own
//!   thread and returns a typed result. The part keeps the [`Job`] handle.
//! - The work gets a [`Worker`]: it reports progress (a fraction and a line of text) and
//!   checks [`Worker::cancelled`] between steps. Dropping a [`Job`] or calling
//!   [`Job::cancel`] raises that token.
//! - A panic in the work becomes the job's error through [`catch_panic`], so a bug in a
//!   decoder or a hostile file is an error the analyst sees instead of a spinner that
//!   turns forever; a thread that cannot start is an error too.
//! - Results are drained once per frame, in one place: [`Jobs::drain`] at the top of the
//!   app's frame (`GeoproofApp::frame_ui`), whatever workspace is shown. Only then does
//!   [`Job::take`] hand the result over, exactly once. While jobs run, the drain asks
//!   for another frame so their progress stays on screen.
//! - Long-lived workers that stream results through their own channel (a video decoder,
//!   tile downloaders, the thumbnail loader) are started as *services*
//!   ([`Jobs::spawn_service`]): named, cancellable, panic-safe, but they do not keep the
//!   UI repainting while they wait for requests.
//!
//! `tests/fitness` fails on a `thread::spawn` or `thread::Builder` anywhere else in `ui/`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// While foreground jobs run, the drain asks for a frame this often (progress bars).
const PROGRESS_REPAINT: Duration = Duration::from_millis(100);

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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the registry and the worker share about one job.
struct Control {
    name: String,
    /// A service does not keep the UI repainting while it runs.
    service: bool,
    cancel: AtomicBool,
    /// Fraction done (if the work knows it) and a line saying what it is doing.
    progress: Mutex<(Option<f32>, String)>,
    /// Set by the worker when the result is in the slot.
    finished: AtomicBool,
    /// Set by [`Jobs::drain`]: from then on [`Job::take`] hands the result over.
    delivered: AtomicBool,
}

/// A job's name, progress and state, as the registry lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct JobInfo {
    pub name: String,
    pub fraction: Option<f32>,
    pub text: String,
    pub cancelled: bool,
}

#[derive(Default)]
struct Registry {
    jobs: Mutex<Vec<Arc<Control>>>,
    /// Counts news (a job finished, a service sent something); with `news_changed`,
    /// lets tests wait for work instead of sleeping a guessed time.
    news: Mutex<u64>,
    news_changed: Condvar,
}

/// The job registry of one app. Cloning it gives another handle to the same registry.
#[derive(Clone, Default)]
pub struct Jobs {
    registry: Arc<Registry>,
}

/// The handle a worker gets: progress, the cancel token, a repaint.
pub struct Worker {
    control: Arc<Control>,
    ctx: Option<egui::Context>,
    registry: Arc<Registry>,
}

impl Worker {
    /// Whether the job was cancelled (its handle dropped or [`Job::cancel`] called).
    pub fn cancelled(&self) -> bool {
        self.control.cancel.load(Ordering::Relaxed)
    }

    /// The cancel token itself, for domain code that takes an `&AtomicBool`.
    pub fn cancel_token(&self) -> &AtomicBool {
        &self.control.cancel
    }

    /// Reports progress: `fraction` in 0..=1 if known, and what the job is doing.
    pub fn progress(&self, fraction: Option<f32>, text: impl Into<String>) {
        *lock(&self.control.progress) = (fraction.map(|f| f.clamp(0.0, 1.0)), text.into());
    }

    /// Asks for a frame (a service that sent a result through its own channel).
    pub fn repaint(&self) {
        self.registry.tell();
        if let Some(ctx) = &self.ctx {
            ctx.request_repaint();
        }
    }
}

/// A running or finished job, held by the part that asked for it. Dropping it cancels
/// the job.
pub struct Job<T> {
    control: Arc<Control>,
    slot: Arc<Mutex<Option<Result<T, String>>>>,
}

impl<T> Job<T> {
    /// The result, once the frame's drain has collected it; `None` before, and after it
    /// was taken. The error is the work's panic, or why the thread could not start.
    pub fn take(&mut self) -> Option<Result<T, String>> {
        if !self.control.delivered.load(Ordering::Acquire) {
            return None;
        }
        lock(&self.slot).take()
    }

    /// Whether the result has been drained (taken or not).
    pub fn is_done(&self) -> bool {
        self.control.delivered.load(Ordering::Acquire)
    }

    /// Raises the cancel token the work checks.
    pub fn cancel(&self) {
        self.control.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether the job was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.control.cancel.load(Ordering::Relaxed)
    }

    pub fn name(&self) -> &str {
        &self.control.name
    }

    /// The last progress the work reported.
    pub fn progress(&self) -> (Option<f32>, String) {
        lock(&self.control.progress).clone()
    }
}

impl<T, E> Job<Result<T, E>> {
    /// [`Job::take`] for work that can fail: its error and a panic both come back as the
    /// error.
    pub fn take_flat(&mut self) -> Option<Result<T, String>>
    where
        E: std::fmt::Display,
    {
        self.take()
            .map(|r| r.and_then(|inner| inner.map_err(|e| e.to_string())))
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl Jobs {
    /// A registry not tied to a window (unit tests).
    pub fn new() -> Jobs {
        Jobs::default()
    }

    /// The registry of the app drawn in `ctx` (made on first use and kept in the
    /// context's memory, so every part that can draw can start a job).
    pub fn of(ctx: &egui::Context) -> Jobs {
        ctx.data_mut(|d| {
            d.get_temp_mut_or_insert_with(egui::Id::unique("geoproof-jobs"), Jobs::new)
                .clone()
        })
    }

    /// Starts `work` on its own thread as the job `name`; its result comes back through
    /// the returned handle after the next [`Jobs::drain`]. With `ctx`, a frame is asked
    /// for as soon as it finishes.
    pub fn spawn<T: Send + 'static>(
        &self,
        ctx: Option<&egui::Context>,
        name: impl Into<String>,
        work: impl FnOnce(&Worker) -> T + Send + 'static,
    ) -> Job<T> {
        self.start(ctx, name.into(), false, work)
    }

    /// [`Jobs::spawn`] for a long-lived worker that streams its results through its own
    /// channel: it does not keep the UI repainting while it waits.
    pub fn spawn_service<T: Send + 'static>(
        &self,
        ctx: Option<&egui::Context>,
        name: impl Into<String>,
        work: impl FnOnce(&Worker) -> T + Send + 'static,
    ) -> Job<T> {
        self.start(ctx, name.into(), true, work)
    }

    fn start<T: Send + 'static>(
        &self,
        ctx: Option<&egui::Context>,
        name: String,
        service: bool,
        work: impl FnOnce(&Worker) -> T + Send + 'static,
    ) -> Job<T> {
        let control = Arc::new(Control {
            name: name.clone(),
            service,
            cancel: AtomicBool::new(false),
            progress: Mutex::new((None, String::new())),
            finished: AtomicBool::new(false),
            delivered: AtomicBool::new(false),
        });
        let slot = Arc::new(Mutex::new(None));
        lock(&self.registry.jobs).push(control.clone());
        let worker = Worker {
            control: control.clone(),
            ctx: ctx.cloned(),
            registry: self.registry.clone(),
        };
        let result = slot.clone();
        let spawned = std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || {
                let outcome = catch_panic(&worker.control.name, || work(&worker));
                finish(&worker.control, &result, outcome);
                worker.repaint();
            });
        if let Err(e) = spawned {
            let error = Err(format!("cannot start a thread for {name}: {e}"));
            finish(&control, &slot, error);
            self.registry.tell();
        }
        Job { control, slot }
    }

    /// Once per frame, in one place: hands finished results to their handles and
    /// forgets those jobs; while foreground jobs still run, asks `ctx` for another
    /// frame. Returns how many results were delivered.
    pub fn drain(&self, ctx: Option<&egui::Context>) -> usize {
        let mut jobs = lock(&self.registry.jobs);
        let before = jobs.len();
        jobs.retain(|c| {
            let finished = c.finished.load(Ordering::Acquire);
            if finished {
                c.delivered.store(true, Ordering::Release);
            }
            !finished
        });
        let delivered = before - jobs.len();
        if let Some(ctx) = ctx
            && jobs.iter().any(|c| !c.service)
        {
            ctx.request_repaint_after(PROGRESS_REPAINT);
        }
        delivered
    }

    /// The jobs still running (services included), in the order they started.
    pub fn running(&self) -> Vec<JobInfo> {
        lock(&self.registry.jobs)
            .iter()
            .filter(|c| !c.finished.load(Ordering::Acquire))
            .map(|c| {
                let (fraction, text) = lock(&c.progress).clone();
                JobInfo {
                    name: c.name.clone(),
                    fraction,
                    text,
                    cancelled: c.cancel.load(Ordering::Relaxed),
                }
            })
            .collect()
    }

    /// Whether a foreground job (not a service) is running or waits to be drained.
    pub fn busy(&self) -> bool {
        lock(&self.registry.jobs).iter().any(|c| !c.service)
    }

    /// A counter of news: it grows when a job finishes or a service reports something.
    pub fn news(&self) -> u64 {
        *lock(&self.registry.news)
    }

    /// Blocks until there is news after [`Jobs::news`] returned `since`, or `timeout`
    /// passes; returns whether there was. Tests wait for work with it instead of sleeping
    /// a guessed time (read `news` before the frame, wait after it: nothing is missed).
    pub fn wait_for_news(&self, since: u64, timeout: Duration) -> bool {
        let news = lock(&self.registry.news);
        let (_news, waited) = self
            .registry
            .news_changed
            .wait_timeout_while(news, timeout, |n| *n == since)
            .unwrap_or_else(PoisonError::into_inner);
        !waited.timed_out()
    }

    /// Whether a job has finished and waits for the next drain.
    pub fn has_undrained(&self) -> bool {
        lock(&self.registry.jobs)
            .iter()
            .any(|c| c.finished.load(Ordering::Acquire))
    }
}

fn finish<T>(
    control: &Control,
    slot: &Mutex<Option<Result<T, String>>>,
    outcome: Result<T, String>,
) {
    *lock(slot) = Some(outcome);
    control.finished.store(true, Ordering::Release);
}

impl Registry {
    fn tell(&self) {
        *lock(&self.news) += 1;
        self.news_changed.notify_all();
    }
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

    /// Drains until `job` has its result (the worker runs on its own thread).
    fn drain_until_done<T>(jobs: &Jobs, job: &Job<T>) {
        for _ in 0..500 {
            let news = jobs.news();
            jobs.drain(None);
            if job.is_done() {
                return;
            }
            jobs.wait_for_news(news, Duration::from_millis(20));
        }
        panic!("the job {} never finished", job.name());
    }

    #[test]
    fn a_result_is_handed_over_only_after_the_drain_and_only_once() {
        let jobs = Jobs::new();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let mut job = jobs.spawn(None, "adding", move |_| {
            let _ = wait.recv();
            40 + 2
        });
        assert_eq!(job.take(), None, "nothing before the work ends");
        let news = jobs.news();
        go.send(()).unwrap();
        assert!(jobs.wait_for_news(news, Duration::from_secs(10)));
        assert!(jobs.has_undrained());
        assert_eq!(job.take(), None, "finished but not drained yet");
        assert_eq!(jobs.drain(None), 1);
        assert_eq!(job.take(), Some(Ok(42)));
        assert_eq!(job.take(), None, "a result is handed over once");
        assert_eq!(jobs.drain(None), 0, "a drained job is forgotten");
        assert!(jobs.running().is_empty());
    }

    #[test]
    fn progress_is_seen_by_the_registry_and_the_handle() {
        let jobs = Jobs::new();
        let (step, steps) = std::sync::mpsc::channel::<()>();
        let (reported, on_report) = std::sync::mpsc::channel::<()>();
        let mut job = jobs.spawn(None, "counting", move |w| {
            for i in 1..=2 {
                let _ = steps.recv();
                w.progress(Some(i as f32 / 2.0), format!("{i} of 2"));
                let _ = reported.send(());
            }
            "done"
        });
        step.send(()).unwrap();
        on_report.recv().unwrap();
        assert_eq!(job.progress(), (Some(0.5), "1 of 2".to_owned()));
        assert_eq!(
            jobs.running(),
            [JobInfo {
                name: "counting".into(),
                fraction: Some(0.5),
                text: "1 of 2".into(),
                cancelled: false,
            }]
        );
        assert!(jobs.busy());
        step.send(()).unwrap();
        drain_until_done(&jobs, &job);
        assert_eq!(job.progress(), (Some(1.0), "2 of 2".to_owned()));
        assert_eq!(job.take(), Some(Ok("done")));
        assert!(!jobs.busy());
    }

    #[test]
    fn a_cancelled_job_sees_its_token_and_dropping_the_handle_cancels() {
        let jobs = Jobs::new();
        let work = |w: &Worker| {
            let mut rounds = 0u32;
            while !w.cancelled() {
                rounds += 1;
                std::thread::yield_now();
            }
            rounds
        };
        let mut job = jobs.spawn(None, "until cancelled", work);
        job.cancel();
        assert!(jobs.running().iter().all(|j| j.cancelled));
        drain_until_done(&jobs, &job);
        assert!(matches!(job.take(), Some(Ok(_))));

        let (tx, rx) = std::sync::mpsc::channel();
        let dropped = jobs.spawn(None, "dropped", move |w| {
            while !w.cancelled() {
                std::thread::yield_now();
            }
            let _ = tx.send("saw the token");
        });
        drop(dropped);
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)),
            Ok("saw the token")
        );
    }

    #[test]
    fn a_panicking_job_ends_with_an_error_naming_it() {
        let jobs = Jobs::new();
        let mut job = jobs.spawn(None, "decoding hostile.mp4", |_| -> u32 {
            panic!("index out of bounds")
        });
        drain_until_done(&jobs, &job);
        assert_eq!(
            job.take(),
            Some(Err(
                "decoding hostile.mp4 failed unexpectedly (index out of bounds); \
                      please report this"
                    .into()
            ))
        );
        let mut failing = jobs.spawn(None, "reading", |_| -> Result<u8, String> {
            Err("x.tif: not a TIFF".into())
        });
        drain_until_done(&jobs, &failing);
        assert_eq!(failing.take_flat(), Some(Err("x.tif: not a TIFF".into())));
    }

    #[test]
    fn services_do_not_keep_the_registry_busy() {
        let jobs = Jobs::new();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let service = jobs.spawn_service(None, "decoder", move |_| {
            let _ = stopped.recv();
        });
        assert!(!jobs.busy());
        assert_eq!(jobs.running().len(), 1);
        drop(stop);
        drain_until_done(&jobs, &service);
    }
}
