//! The system's `ffmpeg` and `ffprobe`, run as programs with an argument list (never a
//! shell, so a file named `-y.mp4` or `; rm -rf` is just a name), under a time limit,
//! with ffmpeg's own error text carried into our one-line error.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use wait_timeout::ChildExt;

use super::error::VideoError;

/// Where to look for ffmpeg when it is not on `PATH`: the path of the `ffmpeg` program
/// (its `ffprobe` is expected beside it).
pub const FFMPEG_ENV: &str = "GEOPROOF_FFMPEG";
/// How to install it, for the error shown when it is missing.
pub const INSTALL_HINT: &str =
    "install it (Debian/Ubuntu: sudo apt install ffmpeg) or set GEOPROOF_FFMPEG to its path";
/// Oldest ffmpeg whose options and output we rely on (`-fps_mode`, JSON side data).
const MIN_MAJOR_VERSION: u32 = 5;

/// A located ffmpeg installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ffmpeg {
    pub ffmpeg: PathBuf,
    pub ffprobe: PathBuf,
    /// The first line of `ffmpeg -version`, recorded with every frame grab.
    pub version_line: String,
}

impl Ffmpeg {
    /// Finds ffmpeg (`GEOPROOF_FFMPEG`, else `PATH`) and checks its version; the result
    /// is kept for the life of the process, since it does not change under us.
    pub fn locate() -> Result<&'static Ffmpeg, VideoError> {
        static FOUND: OnceLock<Result<Ffmpeg, String>> = OnceLock::new();
        FOUND
            .get_or_init(|| Ffmpeg::find().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| VideoError::Tool(e.clone()))
    }

    /// Like [`Ffmpeg::locate`], without the process-wide memo (tests change the
    /// environment between calls).
    pub fn find() -> Result<Ffmpeg, VideoError> {
        let ffmpeg = match std::env::var_os(FFMPEG_ENV).filter(|v| !v.is_empty()) {
            Some(path) => {
                let path = PathBuf::from(path);
                if !path.is_file() {
                    return Err(VideoError::Tool(format!(
                        "ffmpeg not found at {} ({FFMPEG_ENV}); {INSTALL_HINT}",
                        path.display()
                    )));
                }
                path
            }
            None => on_path("ffmpeg").ok_or_else(|| {
                VideoError::Tool(format!("ffmpeg was not found on PATH; {INSTALL_HINT}"))
            })?,
        };
        let ffprobe = ffmpeg
            .parent()
            .map(|dir| dir.join("ffprobe"))
            .filter(|p| p.is_file())
            .or_else(|| on_path("ffprobe"))
            .ok_or_else(|| {
                VideoError::Tool(format!(
                    "ffprobe was not found beside {}; {INSTALL_HINT}",
                    ffmpeg.display()
                ))
            })?;
        let mut found = Ffmpeg {
            ffmpeg,
            ffprobe,
            version_line: String::new(),
        };
        let out = found.run_ffmpeg(&args(["-hide_banner", "-version"]), Duration::from_secs(10))?;
        let first = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        check_version(&first, &found.ffmpeg)?;
        found.version_line = first;
        Ok(found)
    }

    pub fn run_ffmpeg(&self, args: &[OsString], limit: Duration) -> Result<ToolOutput, VideoError> {
        run(&self.ffmpeg, args, limit)
    }

    pub fn run_ffprobe(
        &self,
        args: &[OsString],
        limit: Duration,
    ) -> Result<ToolOutput, VideoError> {
        run(&self.ffprobe, args, limit)
    }

    /// Starts ffmpeg with piped stdout/stderr for a caller that streams its output.
    pub fn spawn_ffmpeg(&self, args: &[OsString]) -> Result<Child, VideoError> {
        Command::new(&self.ffmpeg)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| VideoError::Tool(format!("{}: cannot start: {e}", self.ffmpeg.display())))
    }
}

/// Builds an argument list from string literals.
pub fn args<const N: usize>(list: [&str; N]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

/// A file path as an input argument: `file:` keeps ffmpeg from reading a name such as
/// `-y.mp4` as an option or `http:…` as a protocol.
pub fn input_arg(path: &Path) -> OsString {
    let mut arg = OsString::from("file:");
    arg.push(path.as_os_str());
    arg
}

/// What a finished tool printed.
#[derive(Debug)]
pub struct ToolOutput {
    pub stdout: Vec<u8>,
    pub stderr: String,
}

fn run(program: &Path, args: &[OsString], limit: Duration) -> Result<ToolOutput, VideoError> {
    let name = program.file_name().map_or_else(
        || program.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| VideoError::Tool(format!("{}: cannot start: {e}", program.display())))?;
    // Both pipes are drained on their own threads so a chatty child never blocks on a
    // full pipe while we wait for it.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = match child.wait_timeout(limit) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(VideoError::Timeout {
                tool: name,
                seconds: limit.as_secs_f64(),
            });
        }
        Err(e) => return Err(VideoError::Tool(format!("{name}: {e}"))),
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
    if !status.success() {
        return Err(VideoError::Failed {
            tool: name,
            message: last_error_line(&stderr),
        });
    }
    Ok(ToolOutput { stdout, stderr })
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf);
        }
        buf
    })
}

/// What ffmpeg said went wrong: its last two distinct messages (the specific cause,
/// such as `moov atom not found`, usually comes just before the generic one), without
/// the `[demuxer @ 0x…]` prefixes or the `file:…:` input name.
pub fn last_error_line(stderr: &str) -> String {
    let mut messages: Vec<String> = Vec::new();
    for line in stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .rev()
    {
        let message = strip_prefixes(line);
        if !messages.contains(&message) {
            messages.push(message);
        }
        if messages.len() == 2 {
            break;
        }
    }
    if messages.is_empty() {
        return "exited with an error and printed nothing".into();
    }
    messages.reverse();
    messages.join("; ").chars().take(300).collect()
}

fn strip_prefixes(line: &str) -> String {
    let mut line = line;
    while let Some((_, rest)) = line
        .strip_prefix('[')
        .and_then(|rest| rest.split_once("] "))
    {
        line = rest;
    }
    // `file:/path/clip.mp4: Invalid data…`: the caller names the file already.
    if let Some(rest) = line.strip_prefix("file:")
        && let Some((_, message)) = rest.split_once(": ")
    {
        line = message;
    }
    line.to_owned()
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// `ffmpeg version 5.1.9-0+deb12u1 Copyright …` → major 5; refuses older builds.
fn check_version(line: &str, program: &Path) -> Result<(), VideoError> {
    let version = line
        .strip_prefix("ffmpeg version ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("");
    // Builds from git say `N-12345-g…`: recent enough by construction.
    let digits: String = version
        .trim_start_matches('n')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    match digits.parse::<u32>() {
        Ok(major) if major < MIN_MAJOR_VERSION && !version.starts_with('N') => {
            Err(VideoError::Tool(format!(
                "{}: ffmpeg {version} is too old (5.1 or newer needed); {INSTALL_HINT}",
                program.display()
            )))
        }
        Ok(_) => Ok(()),
        Err(_) if version.starts_with('N') => Ok(()),
        Err(_) => Err(VideoError::Tool(format!(
            "{}: does not look like ffmpeg (-version printed {line:?})",
            program.display()
        ))),
    }
}

/// Overrides every ffmpeg time limit, in seconds (tests use a short one with a fake,
/// hanging ffmpeg).
pub const TIMEOUT_ENV: &str = "GEOPROOF_VIDEO_TIMEOUT_S";

/// How long one run of ffmpeg or ffprobe may take before it is treated as hung:
/// `default_s`, or the `GEOPROOF_VIDEO_TIMEOUT_S` override.
pub fn time_limit(default_s: u64) -> std::time::Duration {
    let seconds = std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(default_s as f64);
    std::time::Duration::from_secs_f64(seconds)
}

/// Probing reads the container's index: quick unless the file is hostile.
pub const PROBE_LIMIT_S: u64 = 60;
/// One grab decodes up to a whole group of pictures.
pub const GRAB_LIMIT_S: u64 = 120;
/// An analysis pass decodes the whole clip.
pub const ANALYSIS_LIMIT_S: u64 = 3600;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_line_drops_the_component_prefix() {
        let stderr = "ffmpeg version x\n[mov,mp4,m4a @ 0x5581] moov atom not found\n\
                      file:a.mp4: Invalid data found when processing input\n\n";
        assert_eq!(
            last_error_line(stderr),
            "moov atom not found; Invalid data found when processing input"
        );
        assert_eq!(
            last_error_line("[h264 @ 0x1] error while decoding MB 3 4"),
            "error while decoding MB 3 4"
        );
    }

    #[test]
    fn version_check_accepts_5_and_git_builds_refuses_4() {
        let p = Path::new("/usr/bin/ffmpeg");
        assert!(check_version("ffmpeg version 5.1.9-0+deb12u1 Copyright", p).is_ok());
        assert!(check_version("ffmpeg version n7.1 Copyright", p).is_ok());
        assert!(check_version("ffmpeg version N-113000-gabc Copyright", p).is_ok());
        assert!(check_version("ffmpeg version 4.4.2 Copyright", p).is_err());
        assert!(check_version("hello", p).is_err());
    }
}
